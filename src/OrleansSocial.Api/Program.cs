using OrleansSocial.Api.Apis;
using OrleansSocial.Api.Extensions;
using OrleansSocial.Api.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddApiDefaults();
builder.AddTenantStore();
builder.AddOrleansSilo();

var app = builder.Build();

app.UseApiDefaults();
app.MapOperations();
app.MapAdminTenantsApi();
app.MapTenantApi();
app.MapMembersApi();

app.Run();

/// <summary>Exposes the host to in-process tests.</summary>
public partial class Program;
