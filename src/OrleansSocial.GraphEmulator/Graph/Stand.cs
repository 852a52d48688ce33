using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// Stand-in nodes rendered only to check the fields asked of an empty edge; never part of an answer.
/// </summary>
internal static class Stand
{
    public static readonly Post Post = new("0_0", "0", "", DateTimeOffset.UnixEpoch, 0, 0, true, null);

    public static readonly Comment Comment = new("0_0", "0", "", DateTimeOffset.UnixEpoch, "0", "x", 0);

    public static readonly Media Media = new("0", "0", "", "IMAGE", DateTimeOffset.UnixEpoch, 0);

    /// <summary>The one edge posts and media expand; its own fields are checked where it is read.</summary>
    public static JsonNode? Comments(FieldSpec spec) => spec.Name == "comments" ? new JsonObject() : null;
}
