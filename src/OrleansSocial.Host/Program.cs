using OrleansSocial.Host.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddOrleansSocial();

var app = builder.Build();
app.UseOrleansSocial();
app.Run();

/// <summary>Exposes the host to in-process tests.</summary>
public partial class Program;
