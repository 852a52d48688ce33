using OrleansSocial.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddApiDefaults();
builder.AddOrleansSilo();

var app = builder.Build();

app.UseApiDefaults();
app.MapOperations();

app.Run();

/// <summary>Exposes the host to in-process tests.</summary>
public partial class Program;
