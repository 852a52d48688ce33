using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// <c>POST /{v}</c> with <c>batch=[...]</c>: up to 50 operations, in order, each a full Graph
/// call (own rate accounting, own errors), with <c>name</c>/<c>depends_on</c> and
/// <c>{result=name:$.data.*.id}</c> / <c>{result=name:$.id}</c> references.
/// </summary>
internal sealed partial class BatchRunner(GraphDispatcher dispatcher)
{
    public const int MaxOperations = 50;

    public async Task<GraphResult> RunAsync(GraphRequest request)
    {
        JsonArray? operations;
        try
        {
            operations = JsonNode.Parse(request["batch"] ?? "")?.AsArray();
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            operations = null;
        }

        if (operations is null)
        {
            return GraphErrors.Error(100, "The parameter batch must be a JSON array", type: "GraphBatchException");
        }

        if (operations.Count > MaxOperations)
        {
            return GraphErrors.Error(1, $"Too many requests in batch message. Maximum batch size is {MaxOperations}", type: "GraphBatchException", status: 400);
        }

        var includeHeaders = request["include_headers"] != "false";
        var named = new Dictionary<string, (int Status, JsonNode? Body)>(StringComparer.Ordinal);
        var responses = new JsonArray();
        foreach (var node in operations)
        {
            var op = node!.AsObject();
            var name = op["name"]?.GetValue<string>();
            var dependsOn = op["depends_on"]?.GetValue<string>();
            if (dependsOn is not null && (!named.TryGetValue(dependsOn, out var dependency) || dependency.Status >= 400))
            {
                responses.Add(null);
                continue;
            }

            var result = await dispatcher.HandleAsync(Operation(request, op, named));
            if (name is not null)
            {
                named[name] = (result.Status, result.Body);
            }

            var omit = op["omit_response_on_success"]?.GetValue<bool>() ?? name is not null;
            if (omit && name is not null && result.Status < 400)
            {
                responses.Add(null);
                continue;
            }

            var element = new JsonObject { ["code"] = result.Status };
            if (includeHeaders)
            {
                element["headers"] = new JsonArray(result.Headers.Select(h => (JsonNode)new JsonObject { ["name"] = h.Name, ["value"] = h.Value }).ToArray());
            }

            element["body"] = GraphJson.Write(result.Body);
            responses.Add(element);
        }

        return GraphResult.Ok(responses);
    }

    private static GraphRequest Operation(GraphRequest batch, JsonObject op, Dictionary<string, (int Status, JsonNode? Body)> named)
    {
        var relative = Resolve(op["relative_url"]?.GetValue<string>() ?? "", named).TrimStart('/');
        var queryAt = relative.IndexOf('?');
        var path = queryAt < 0 ? relative : relative[..queryAt];
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (queryAt >= 0)
        {
            foreach (var (key, value) in QueryHelpers.ParseQuery(relative[queryAt..]))
            {
                parameters[key] = value.ToString();
            }
        }

        if (op["body"]?.GetValue<string>() is { } body)
        {
            foreach (var (key, value) in QueryHelpers.ParseQuery("?" + Resolve(body, named)))
            {
                parameters[key] = value.ToString();
            }
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (segments.Count > 0 && VersionPattern().IsMatch(segments[0]))
        {
            segments.RemoveAt(0);
        }

        if (batch["appsecret_proof"] is { } proof && !parameters.ContainsKey("appsecret_proof") && !parameters.ContainsKey("access_token"))
        {
            parameters["appsecret_proof"] = proof;
        }

        var token = parameters.Remove("access_token", out var own) ? own : batch.Token;
        return new GraphRequest((op["method"]?.GetValue<string>() ?? "GET").ToUpperInvariant(), segments, parameters, token, batch.BaseUrl, batch.Version);
    }

    private static string Resolve(string text, Dictionary<string, (int Status, JsonNode? Body)> named) =>
        ResultReference().Replace(text, match =>
        {
            if (!named.TryGetValue(match.Groups["name"].Value, out var result) || result.Body is null)
            {
                return "";
            }

            return match.Groups["path"].Value switch
            {
                "$.id" => result.Body["id"]?.GetValue<string>() ?? "",
                "$.data.*.id" => string.Join(',', result.Body["data"]?.AsArray().Select(d => d?["id"]?.GetValue<string>()) ?? []),
                _ => "",
            };
        });

    [GeneratedRegex(@"\{result=(?<name>[^:}]+):(?<path>[^}]+)\}")]
    private static partial Regex ResultReference();

    [GeneratedRegex(@"^v\d+\.\d+$")]
    internal static partial Regex VersionPattern();
}
