using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Contract;

/// <summary>
/// The served document, read with a real OpenAPI parser (Microsoft.OpenApi), is exact enough for a
/// client that reads nothing else. Checked for every operation, so a new route cannot forget it.
/// </summary>
public sealed class OpenApiDocumentTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    private async Task<OpenApiDocument> ReadAsync()
    {
        await using var stream = await host.Api.Http.GetStreamAsync("/openapi/v1.json");
        var result = await OpenApiDocument.LoadAsync(stream, "json");
        Assert.Empty(result.Diagnostic?.Errors ?? []);
        return result.Document!;
    }

    private static IEnumerable<(string Path, HttpMethod Method, OpenApiOperation Operation)> Operations(OpenApiDocument document) =>
        from path in document.Paths
        from operation in path.Value.Operations ?? []
        select (path.Key, operation.Key, operation.Value);

    [Fact]
    public async Task Post_changes_take_if_match_and_answer_412_and_single_post_answers_carry_an_etag()
    {
        var document = await ReadAsync();
        var operations = Operations(document).ToList();
        OpenApiOperation Find(string path, HttpMethod method) => operations.Single(o => o.Path == path && o.Method == method).Operation;

        Assert.True(Find("/api/posts/{postId}", HttpMethod.Get).Responses!["200"].Headers!.ContainsKey("ETag"));
        foreach (var (path, method) in new[]
        {
            ("/api/posts/{postId}", HttpMethod.Patch), ("/api/posts/{postId}", HttpMethod.Delete), ("/api/posts/{postId}/submit", HttpMethod.Post),
            ("/api/posts/{postId}/approve", HttpMethod.Post), ("/api/posts/{postId}/reject", HttpMethod.Post),
        })
        {
            var operation = Find(path, method);
            var ifMatch = (operation.Parameters ?? []).SingleOrDefault(p => p.Name == "If-Match" && p.In == ParameterLocation.Header);
            Assert.True(ifMatch is { Required: false }, $"{method} {path}: optional If-Match header");
            Assert.True(operation.Responses!.ContainsKey("412"), $"{method} {path}: 412");
            Assert.True(operation.Responses["200"].Headers?.ContainsKey("ETag") == true, $"{method} {path}: ETag on 200");
        }
    }

    [Fact]
    public async Task The_inbox_and_metas_webhooks_are_in_the_document_with_their_answers()
    {
        var document = await ReadAsync();
        var operations = Operations(document).ToList();
        OpenApiOperation Find(string path, HttpMethod method) => operations.Single(o => o.Path == path && o.Method == method).Operation;

        var list = Find("/api/inbox", HttpMethod.Get);
        Assert.All(new[] { "status", "channelId", "assigneeId", "limit", "cursor" }, name => Assert.Contains(list.Parameters!, p => p.Name == name && p.In == ParameterLocation.Query));
        var reply = Find("/api/inbox/{conversationId}/replies", HttpMethod.Post);
        Assert.Contains(reply.Parameters!, p => p.Name == "Idempotency-Key" && p.In == ParameterLocation.Header);
        Assert.True(reply.Responses!.ContainsKey("202") && reply.Responses.ContainsKey("422") && reply.Responses.ContainsKey("403"));
        foreach (var (path, method) in new[]
        {
            ("/api/inbox/{conversationId}", HttpMethod.Get), ("/api/inbox/{conversationId}", HttpMethod.Patch), ("/api/inbox/{conversationId}", HttpMethod.Delete),
            ("/api/inbox/{conversationId}/hide", HttpMethod.Post), ("/api/inbox/{conversationId}/unhide", HttpMethod.Post),
        })
        {
            Assert.True(Find(path, method).Responses!.ContainsKey("404"), $"{method} {path}: 404");
        }

        Assert.True(Find("/webhooks/meta", HttpMethod.Get).Responses!.ContainsKey("403"));
        var receive = Find("/webhooks/meta", HttpMethod.Post);
        Assert.True(receive.Responses!.ContainsKey("200") && receive.Responses.ContainsKey("401") && receive.Responses.ContainsKey("413"));
    }

    [Fact]
    public async Task Both_bearer_schemes_are_declared_and_every_route_names_its_own()
    {
        var document = await ReadAsync();

        Assert.Equal(SecuritySchemeType.Http, document.Components!.SecuritySchemes!["memberKey"].Type);
        Assert.Equal("bearer", document.Components.SecuritySchemes["memberKey"].Scheme);
        Assert.Equal("bearer", document.Components.SecuritySchemes["operatorKey"].Scheme);
        foreach (var (path, method, operation) in Operations(document))
        {
            var expected = path.StartsWith("/api", StringComparison.Ordinal) ? "memberKey" : path.StartsWith("/admin", StringComparison.Ordinal) ? "operatorKey" : null;
            if (expected is null)
            {
                continue;
            }

            var schemes = (operation.Security ?? []).SelectMany(r => r.Keys).Select(k => k.Reference.Id).ToList();
            Assert.True(schemes.SequenceEqual([expected]), $"{method} {path}: security {string.Join(",", schemes)}");
            var tenantHeader = (operation.Parameters ?? []).SingleOrDefault(p => p.Name == "x-tenant-id" && p.In == ParameterLocation.Header);
            Assert.True(expected == "memberKey" ? tenantHeader is { Required: true } : tenantHeader is null, $"{method} {path}: x-tenant-id");
        }
    }

    [Fact]
    public async Task Every_operation_lists_its_problem_responses_with_the_problem_schema()
    {
        var document = await ReadAsync();
        Assert.NotNull(document.Components!.Schemas!["Problem"].Properties!["title"]);

        foreach (var (path, method, operation) in Operations(document).Where(o => o.Path.StartsWith("/api", StringComparison.Ordinal) || o.Path.StartsWith("/admin", StringComparison.Ordinal)))
        {
            var responses = operation.Responses!;
            var required = new List<string> { "401", "429" };
            if (path.StartsWith("/api", StringComparison.Ordinal))
            {
                required.AddRange(["400", "403", "404"]);
            }

            if (operation.RequestBody is not null)
            {
                required.AddRange(["400", "413", "415"]);
            }

            if (path.Contains('{'))
            {
                required.Add("404");
            }

            foreach (var status in required)
            {
                Assert.True(responses.ContainsKey(status), $"{method} {path} does not declare {status}");
            }

            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                var schema = (response.Content is { } problemContent && problemContent.TryGetValue("application/problem+json", out var problemType) ? problemType.Schema : null);
                Assert.True(schema is OpenApiSchemaReference { Reference.Id: "Problem" }, $"{method} {path} {status}: not a problem schema");
            }
        }
    }

    [Fact]
    public async Task Responses_have_real_schemas_paging_has_its_range_and_operation_ids_are_unique()
    {
        var document = await ReadAsync();
        var ids = new HashSet<string>();

        foreach (var (path, method, operation) in Operations(document))
        {
            Assert.False(path.StartsWith("/dashboard", StringComparison.Ordinal), $"{path} is the dashboard's, not the API's");
            if (!path.StartsWith("/api", StringComparison.Ordinal) && !path.StartsWith("/admin", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.True(operation.OperationId is { Length: > 0 } id && ids.Add(id), $"{method} {path}: operation id {operation.OperationId}");
            // A bodiless success (202 for a deletion, 204) declares no content; every body has a real schema.
            foreach (var (status, response) in operation.Responses!.Where(r => r.Key is "200" or "201" or "202" && r.Value.Content is { Count: > 0 }))
            {
                var schema = (response.Content is { } jsonContent && jsonContent.TryGetValue("application/json", out var jsonType) ? jsonType.Schema : null);
                Assert.True(schema is not null, $"{method} {path} {status} has no JSON schema");
                var target = schema is OpenApiSchemaReference reference ? document.Components!.Schemas![reference.Reference.Id!] : schema;
                Assert.True(target!.Properties is { Count: > 0 } || target.Items is not null, $"{method} {path} {status}: an empty schema");
                Assert.DoesNotContain("JsonElement", (schema as OpenApiSchemaReference)?.Reference.Id ?? "", StringComparison.Ordinal);
            }

            if ((operation.Parameters ?? []).SingleOrDefault(p => p.Name == "limit") is { } limit)
            {
                Assert.Equal("1", limit.Schema!.Minimum);
                Assert.Equal("100", limit.Schema.Maximum);
            }
        }

        Assert.DoesNotContain(document.Components!.Schemas!.Keys, k => k.Contains("JsonElement", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_webhook_event_type_is_described_with_its_versioned_envelope()
    {
        var document = await ReadAsync();

        Assert.Equal(OrleansSocial.Webhooks.WebhookEventTypes.All.Order(), document.Webhooks!.Keys.Order());
        foreach (var (type, item) in document.Webhooks!)
        {
            var body = item.Operations![HttpMethod.Post].RequestBody!.Content!["application/json"].Schema!;
            Assert.All(new[] { "id", "type", "timestamp", "tenantId", "version", "data" }, p => Assert.True(body.Properties!.ContainsKey(p), $"{type} lacks {p}"));
            Assert.NotEmpty(body.Properties!["data"].Properties ?? body.Properties!["data"].AllOf?.SelectMany(a => a.Properties ?? new Dictionary<string, IOpenApiSchema>()).ToDictionary() ?? []);
        }

        var published = document.Webhooks!["post.published"].Operations![HttpMethod.Post].RequestBody!.Content!["application/json"].Schema!.Properties!["data"];
        Assert.Contains("platformPostId", (published.Properties ?? new Dictionary<string, IOpenApiSchema>()).Keys);
    }

    [Fact]
    public async Task Closed_sets_of_strings_are_enums()
    {
        var schemas = (await ReadAsync()).Components!.Schemas!;

        Assert.Equal(["running", "succeeded", "failed", "waiting"], schemas["SyncRunStatus"].Enum!.Select(e => e!.GetValue<string>()));
        Assert.Equal(["active", "needs_reauth", "paused"], schemas["ChannelStatus"].Enum!.Select(e => e!.GetValue<string>()));
        Assert.Contains("owner", schemas["AddMemberRequest"].Properties!["role"].Enum!.Select(e => e!.GetValue<string>()));
        Assert.Contains("weekly", schemas["SyncBody"].Properties!["kinds"].Items!.Enum!.Select(e => e!.GetValue<string>()));
    }
}
