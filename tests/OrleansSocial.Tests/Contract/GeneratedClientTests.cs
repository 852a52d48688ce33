using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NSwag.CodeGeneration.CSharp;
using NSwag.CodeGeneration.OperationNameGenerators;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Channels;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Contract;

/// <summary>
/// A client that knows only the served OpenAPI document: NSwag generates a C# client from it, Roslyn
/// compiles it, and the README walkthrough runs through it (create a tenant, add a member, connect
/// Pages, sync one, read its posts). Nothing here is typed by hand from our own code.
/// </summary>
public sealed class GeneratedClientTests(SyncHost host) : IClassFixture<SyncHost>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task The_walkthrough_runs_through_a_client_generated_from_the_document()
    {
        var assembly = await GenerateClientAsync(await host.Api.Http.GetStringAsync("/openapi/v1.json"));
        using var operatorHttp = Http(TenancyHost.OperatorKey);
        var asOperator = Client(assembly, operatorHttp);

        var tenantId = "gen-" + Guid.NewGuid().ToString("N")[..8];
        var created = await CallAsync(asOperator, "AdminCreateTenant", new() { ["body"] = new { id = tenantId, name = "Generated Co", plan = "pro", ownerEmail = "owner@gen.test" } });
        var ownerKey = created.GetProperty("ownerApiKey").GetString()!;
        using var memberHttp = Http(ownerKey);
        var asOwner = Client(assembly, memberHttp);

        var tenant = await CallAsync(asOwner, "GetTenant", new() { ["x_tenant_id"] = tenantId });
        Assert.Equal("Generated Co", tenant.GetProperty("name").GetString());
        var member = await CallAsync(asOwner, "AddMember", new() { ["x_tenant_id"] = tenantId, ["body"] = new { email = "editor@gen.test", role = "editor" } });
        Assert.StartsWith("osk.", member.GetProperty("apiKey").GetString());

        var channels = await CallAsync(asOwner, "ConnectFacebook", new() { ["x_tenant_id"] = tenantId, ["body"] = new { userAccessToken = TokenStore.DemoUserToken } });
        var channelId = channels[0].GetProperty("channelId").GetString()!;
        Assert.Equal("active", channels[0].GetProperty("status").GetString());

        var accepted = await CallAsync(asOwner, "Sync", new() { ["x_tenant_id"] = tenantId, ["channelId"] = channelId, ["body"] = new { kinds = new[] { "daily" } } });
        var runId = accepted.GetProperty("syncRunId").GetString();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? status = null;
        while (status is not ("succeeded" or "failed") && DateTime.UtcNow < deadline)
        {
            var runs = await CallAsync(asOwner, "SyncRuns", new() { ["x_tenant_id"] = tenantId, ["channelId"] = channelId });
            status = runs.GetProperty("items").EnumerateArray().FirstOrDefault(r => r.GetProperty("syncRunId").GetString() == runId) is { ValueKind: JsonValueKind.Object } run
                ? run.GetProperty("status").GetString()
                : null;
            await Task.Delay(100);
        }

        Assert.Equal("succeeded", status);
        var posts = await CallAsync(asOwner, "Posts", new() { ["x_tenant_id"] = tenantId, ["channelId"] = channelId, ["limit"] = 10 });
        Assert.InRange(posts.GetProperty("items").GetArrayLength(), 1, 10);
        Assert.True(posts.GetProperty("items")[0].GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.MinValue);

        // Errors come back as the declared problem responses, which the generated client surfaces as its exception.
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => CallAsync(asOwner, "GetChannel", new() { ["x_tenant_id"] = tenantId, ["channelId"] = "fb-1" }));
        Assert.Equal(404, (int)refused.GetType().GetProperty("StatusCode")!.GetValue(refused)!);
    }

    private HttpClient Http(string key)
    {
        var http = new HttpClient { BaseAddress = host.Host.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static async Task<Assembly> GenerateClientAsync(string document)
    {
        var openApi = await NSwag.OpenApiDocument.FromJsonAsync(document);
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "OrleansSocialClient",
            UseBaseUrl = false,
            GenerateClientInterfaces = false,
            OperationNameGenerator = new SingleClientFromOperationIdOperationNameGenerator(),
        };
        settings.CSharpGeneratorSettings.Namespace = "Generated";
        // NSwag's default library: its System.Text.Json output writes enum member names ("Pro"), not the document's values ("pro").
        settings.CSharpGeneratorSettings.JsonLibrary = NJsonSchema.CodeGeneration.CSharp.CSharpJsonLibrary.NewtonsoftJson;
        var code = new CSharpClientGenerator(openApi, settings).GenerateFile();

        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("GeneratedClient_" + Guid.NewGuid().ToString("N"), [CSharpSyntaxTree.ParseText(code)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        return AssemblyLoadContext.Default.LoadFromStream(new MemoryStream(image.ToArray()));
    }

    private static object Client(Assembly assembly, HttpClient http) =>
        Activator.CreateInstance(assembly.GetType("Generated.OrleansSocialClient")!, http)!;

    /// <summary>Calls the generated method for an operation id; arguments by parameter name, bodies as JSON into the generated types.</summary>
    private static async Task<JsonElement> CallAsync(object client, string operationId, Dictionary<string, object?> arguments)
    {
        var method = client.GetType().GetMethods().Single(m => m.Name == operationId + "Async" && m.GetParameters().LastOrDefault()?.ParameterType != typeof(CancellationToken));
        var values = method.GetParameters().Select(p => arguments.TryGetValue(p.Name!, out var value) ? Convert(value, p.ParameterType) : null).ToArray();
        var task = (Task)method.Invoke(client, values)!;
        try
        {
            await task;
        }
        catch (Exception exception) when (exception.GetType().Name.StartsWith("ApiException", StringComparison.Ordinal))
        {
            throw;
        }

        // Back to JSON with the generated types' own serializer, so enum values read as the document spells them.
        var result = task.GetType().GetProperty("Result")?.GetValue(task);
        return JsonDocument.Parse(Newtonsoft.Json.JsonConvert.SerializeObject(result)).RootElement.Clone();
    }

    private static object? Convert(object? value, Type type) => value switch
    {
        null => null,
        string or int when type == value.GetType() || Nullable.GetUnderlyingType(type) == value.GetType() => value,
        _ => Newtonsoft.Json.JsonConvert.DeserializeObject(JsonSerializer.Serialize(value, Json), type),
    };
}
