using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>JSON as Graph writes it: <c>+0000</c> and quotes unescaped.</summary>
public static class GraphJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(JsonNode node) => node.ToJsonString(Options);
}
