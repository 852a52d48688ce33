using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSocial.Graph.Models;

/// <summary>One operation of a batch; <see cref="RelativeUrl"/> is relative to the versioned base and carries no token.</summary>
public sealed record BatchOperation(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("relative_url")] string RelativeUrl,
    [property: JsonPropertyName("body"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Body = null,
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name = null,
    [property: JsonPropertyName("depends_on"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DependsOn = null,
    [property: JsonPropertyName("omit_response_on_success"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? OmitResponseOnSuccess = null)
{
    public static BatchOperation Get(string relativeUrl, string? name = null) => new("GET", relativeUrl, Name: name);
}

/// <summary>
/// One operation's outcome: a body, or an error classified like any other call, with the
/// operation's own usage headers. <see cref="Omitted"/> when Graph returned null for it.
/// </summary>
public sealed record BatchResult(int Status, JsonElement? Body, GraphException? Error, GraphUsage Usage)
{
    public bool Omitted => Status == 0;

    public bool Succeeded => Error is null && !Omitted;
}
