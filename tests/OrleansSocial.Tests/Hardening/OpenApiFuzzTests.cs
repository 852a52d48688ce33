using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSocial.Tests.Hardening;

/// <summary>
/// Reads the served OpenAPI document and, for every operation, sends what careless and hostile
/// clients send: null in every position of the body, wrong types, empty, huge and invisible
/// strings, extreme numbers and dates, odd path and query values. No answer may be a 5xx, and
/// after a restart every route of every tenant still answers. Bounded: one pass, a few seconds.
/// </summary>
public sealed class OpenApiFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string OperatorKey = "test-operator-key-fuzz-0123456789abcdef";
    private readonly TempFolder _data = new();
    private readonly List<string> _failures = [];
    private ApiHost _host = null!;
    private HttpClient _http = null!;
    private int _cases;

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Operator:ApiKey"] = OperatorKey,
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };

    public Task InitializeAsync()
    {
        _host = new ApiHost(_data.Path, Settings());
        _http = _host.CreateHttpClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    [Fact]
    public async Task No_operation_answers_5xx_to_hostile_input_and_every_tenant_answers_after_a_restart()
    {
        var api = new ApiClient(_http, OperatorKey);
        var member = await api.CreateTenantAsync(plan: "enterprise");
        var admin = await api.CreateTenantAsync(plan: "enterprise");
        Assert.Equal(HttpStatusCode.Created, (await api.TenantAsync(HttpMethod.Post, "/api/channels/facebook", member.Id, member.OwnerKey, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        var (extraMember, extraKey) = await api.AddMemberAsync(member, "editor");
        var values = new Dictionary<string, string>
        {
            ["id"] = admin.Id,
            ["memberId"] = extraMember,
            ["keyId"] = extraKey.Split('.')[2],
            ["channelId"] = "fb-100000000000000",
            ["postId"] = "100000000000000_1",
        };

        using var document = JsonDocument.Parse(await _http.GetStringAsync("/openapi/v1.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var operations = (
            from path in document.RootElement.GetProperty("paths").EnumerateObject()
            where path.Name.StartsWith("/api", StringComparison.Ordinal) || path.Name.StartsWith("/admin", StringComparison.Ordinal)
            from operation in path.Value.EnumerateObject()
            // Deletions last, so the objects the other operations need are still there.
            orderby operation.Name == "delete"
            select (Path: path.Name, Method: operation.Name, Operation: operation.Value)).ToList();
        Assert.True(operations.Count >= 25, $"only {operations.Count} operations in the document");

        foreach (var (path, method, operation) in operations)
        {
            var tenant = path.StartsWith("/api", StringComparison.Ordinal) ? member : null;
            var parameters = operation.TryGetProperty("parameters", out var list) ? list.EnumerateArray().ToList() : [];
            var body = BodySchema(operation, schemas);
            var baseline = body is { } schema ? Sample(schema, schemas, "", 0) : null;

            foreach (var (bodyText, what) in BodyCases(baseline, body, schemas))
            {
                await SendAsync(method, Fill(path, values, null), null, bodyText, tenant, $"body {what}");
            }

            foreach (var parameter in parameters)
            {
                var name = parameter.GetProperty("name").GetString()!;
                var where = parameter.GetProperty("in").GetString();
                foreach (var hostile in HostileStrings())
                {
                    var bodyText = baseline?.ToJsonString();
                    if (where == "path")
                    {
                        await SendAsync(method, Fill(path, values, (name, hostile)), null, bodyText, tenant, $"path {name}={Describe(hostile)}");
                    }
                    else if (where == "query")
                    {
                        await SendAsync(method, Fill(path, values, null) + "?" + name + "=" + Uri.EscapeDataString(hostile), null, bodyText, tenant, $"query {name}={Describe(hostile)}");
                    }
                    else if (where == "header" && !hostile.Any(char.IsControl))
                    {
                        await SendAsync(method, Fill(path, values, null), (name, hostile), bodyText, tenant, $"header {name}={Describe(hostile)}");
                    }
                }
            }
        }

        output.WriteLine($"{_cases} fuzz cases over {operations.Count} operations");
        Assert.True(_failures.Count == 0, $"{_failures.Count} of {_cases} cases answered 5xx:\n{string.Join("\n", _failures.Take(40))}");
        Assert.DoesNotContain(_host.Logs.Lines, l => l.Contains("Unhandled error", StringComparison.Ordinal));

        // Restart on the same data: every tenant the run left behind still answers every read.
        var tenants = new List<string>();
        string? cursor = null;
        do
        {
            var page = await ApiClient.JsonAsync(await api.OperatorAsync(HttpMethod.Get, "/admin/tenants?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))));
            tenants.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("tenantId").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        _http.Dispose();
        await _host.DisposeAsync();
        _host = new ApiHost(_data.Path, Settings());
        _http = _host.CreateHttpClient();
        api = new ApiClient(_http, OperatorKey);
        foreach (var id in tenants)
        {
            Assert.Equal(HttpStatusCode.OK, (await api.OperatorAsync(HttpMethod.Get, $"/admin/tenants/{id}")).StatusCode);
        }

        foreach (var (path, method, _) in operations.Where(o => o.Method == "get"))
        {
            foreach (var tenant in new[] { member, admin })
            {
                var own = new Dictionary<string, string>(values) { ["id"] = tenant.Id };
                var response = await SendRawAsync("get", Fill(path, own, null), null, null, path.StartsWith("/api", StringComparison.Ordinal) ? tenant : null);
                Assert.True((int)response.StatusCode < 500, $"after restart GET {path} for {tenant.Id}: {(int)response.StatusCode}");
            }
        }
    }

    private async Task SendAsync(string method, string path, (string Name, string Value)? header, string? body, ApiClient.Tenant? tenant, string what)
    {
        _cases++;
        HttpResponseMessage response;
        try
        {
            response = await SendRawAsync(method, path, header, body, tenant);
        }
        catch (HttpRequestException exception)
        {
            _failures.Add($"{method.ToUpperInvariant()} {path} [{what}]: connection failed ({exception.Message})");
            return;
        }

        if ((int)response.StatusCode >= 500)
        {
            _failures.Add($"{method.ToUpperInvariant()} {Shorten(path)} [{what}]: {(int)response.StatusCode}");
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(string method, string path, (string Name, string Value)? header, string? body, ApiClient.Tenant? tenant)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant?.OwnerKey ?? OperatorKey);
        if (tenant is not null)
        {
            request.Headers.TryAddWithoutValidation("x-tenant-id", tenant.Id);
        }

        if (header is { } extra)
        {
            request.Headers.TryAddWithoutValidation(extra.Name, extra.Value);
        }

        return await _http.SendAsync(request);
    }

    private static JsonElement? BodySchema(JsonElement operation, JsonElement schemas) =>
        operation.TryGetProperty("requestBody", out var body) && body.GetProperty("content").TryGetProperty("application/json", out var json)
            ? Resolve(json.GetProperty("schema"), schemas)
            : null;

    /// <summary>Follows $ref and the "oneOf: [null, X]" of an optional object down to X.</summary>
    private static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Resolve(schemas.GetProperty(reference.GetString()!.Split('/').Last()), schemas);
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var concrete = oneOf.EnumerateArray().FirstOrDefault(s => !(s.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
            return concrete.ValueKind == JsonValueKind.Undefined ? schema : Resolve(concrete, schemas);
        }

        return schema;
    }

    private static bool Has(JsonElement schema, string type) =>
        schema.TryGetProperty("type", out var t) && (t.ValueKind == JsonValueKind.String ? t.GetString() == type : t.EnumerateArray().Any(x => x.GetString() == type));

    /// <summary>A plausible value for the schema (by property name where it matters), so that each variant changes one thing.</summary>
    private static JsonNode? Sample(JsonElement schema, JsonElement schemas, string name, int depth)
    {
        schema = Resolve(schema, schemas);
        if (Has(schema, "object") || schema.TryGetProperty("properties", out _))
        {
            var node = new JsonObject();
            if (depth < 4 && schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    node[property.Name] = Sample(property.Value, schemas, property.Name, depth + 1);
                }
            }

            return node;
        }

        if (Has(schema, "array"))
        {
            return new JsonArray(schema.TryGetProperty("items", out var items) ? Sample(items, schemas, name, depth + 1) : JsonValue.Create("x"));
        }

        if (Has(schema, "integer") || Has(schema, "number"))
        {
            return JsonValue.Create(name == "apiRequestsPerMinute" ? 6000 : 5);
        }

        if (Has(schema, "boolean"))
        {
            return JsonValue.Create(false);
        }

        return JsonValue.Create(name switch
        {
            "email" or "ownerEmail" => $"fuzz-{Guid.NewGuid():N}@x.test",
            "role" => "viewer",
            "plan" => "enterprise",
            "timeZone" => "UTC",
            "kinds" => "daily",
            "permissions" => "channels:read",
            "userAccessToken" => TokenStore.DemoUserToken,
            "id" => "fz-" + Guid.NewGuid().ToString("N")[..10],
            _ => "Fuzz",
        });
    }

    private static IEnumerable<(string? Body, string What)> BodyCases(JsonNode? baseline, JsonElement? schema, JsonElement schemas)
    {
        foreach (var whole in new[] { "null", "[]", "\"\"", "0", "{}", "{", "[null]", "{\"unknown\":1}" })
        {
            yield return (whole, $"= {whole}");
        }

        if (baseline is not JsonObject)
        {
            yield return (null, "missing");
            yield break;
        }

        yield return (baseline.ToJsonString(), "baseline");
        foreach (var (pointer, _) in Positions(baseline, ""))
        {
            foreach (var (value, label) in HostileValues())
            {
                var copy = JsonNode.Parse(baseline.ToJsonString())!;
                Replace(copy, pointer, value);
                yield return (copy.ToJsonString(), $"{pointer}={label}");
            }
        }
    }

    /// <summary>Every position in the document: properties and array elements, recursively.</summary>
    private static IEnumerable<(string Pointer, JsonNode? Node)> Positions(JsonNode? node, string pointer)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    var at = $"{pointer}/{key}";
                    yield return (at, child);
                    foreach (var nested in Positions(child, at))
                    {
                        yield return nested;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var at = $"{pointer}/{i}";
                    yield return (at, array[i]);
                    foreach (var nested in Positions(array[i], at))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }

    private static void Replace(JsonNode root, string pointer, Func<JsonNode?> value)
    {
        var parts = pointer.Trim('/').Split('/');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent is JsonArray a ? a[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)]! : parent[part]!;
        }

        if (parent is JsonArray array)
        {
            array[int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture)] = value();
        }
        else
        {
            parent[parts[^1]] = value();
        }
    }

    private static IEnumerable<(Func<JsonNode?> Value, string Label)> HostileValues()
    {
        yield return (() => null, "null");
        yield return (() => JsonValue.Create(""), "empty");
        yield return (() => JsonValue.Create(new string('x', 20_000)), "huge");
        yield return (() => JsonValue.Create("\u200b\u202e"), "invisible");
        yield return (() => JsonValue.Create(12), "number");
        yield return (() => JsonValue.Create(2147483648L), "int32+1");
        yield return (() => JsonValue.Create(-2147483649L), "int32-1");
        yield return (() => JsonValue.Create(1e308), "1e308");
        yield return (() => JsonValue.Create(true), "bool");
        yield return (() => new JsonObject { ["a"] = 1 }, "object");
        yield return (() => new JsonArray(null, null), "[null,null]");
        yield return (() => JsonValue.Create("0001-01-01T00:00:00Z"), "min-date");
        yield return (() => JsonValue.Create("9999-12-31T23:59:59Z"), "max-date");
    }

    private static IEnumerable<string> HostileStrings() =>
    [
        "", " ", "null", "-1", "0", "2147483648", "99999999999999999999", "1e308", "abc", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "\u200b", "\u202e", "../../etc/passwd", "%00", "a/b", new string('z', 3_000), "😀", "fb-1", "ig-99999999999999999999999999999999",
    ];

    private static string Fill(string path, Dictionary<string, string> values, (string Name, string Value)? hostile)
    {
        foreach (var (name, value) in values)
        {
            var replacement = hostile is { } h && h.Name == name ? h.Value : value;
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(replacement), StringComparison.Ordinal);
        }

        return path;
    }

    private static string Describe(string value) => value.Length > 20 ? $"{value[..10]}…({value.Length})" : value;

    private static string Shorten(string path) => path.Length > 120 ? path[..120] + "…" : path;
}
