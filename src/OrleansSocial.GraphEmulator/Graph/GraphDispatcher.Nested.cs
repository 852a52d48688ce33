using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator.Graph;

public sealed partial class GraphDispatcher
{
    /// <summary>
    /// Edges asked for inside <c>fields</c> (<c>published_posts.since(T).limit(25){…,comments{…}}</c>,
    /// <c>insights.metric(…).period(day)</c>): each is read exactly as the edge's own endpoint would
    /// read it, with the modifiers as its parameters, so limits, windows, paging links and errors match.
    /// </summary>
    private Func<FieldSpec, JsonNode?> NestedEdges(GraphRequest context, string objectId, TokenInfo token) => spec =>
    {
        if (!IsNestedEdge(objectId, spec.Name))
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(spec.Modifiers, StringComparer.Ordinal);
        if (spec.Children.Count > 0)
        {
            parameters["fields"] = FieldSpec.Format(spec.Children);
        }

        var request = new GraphRequest("GET", [objectId, spec.Name], parameters, context.Token, context.BaseUrl, context.Version) { InstagramHost = context.InstagramHost };
        var result = spec.Name == "insights" ? Insights(request, token) : ReadEdge(request, token, spec.Children);
        return result.Status < 400 ? result.Body : throw new GraphRequestFailure(result);
    };

    private bool IsNestedEdge(string objectId, string name) => name switch
    {
        "published_posts" or "posts" or "feed" or "scheduled_posts" => World.FindPage(objectId) is not null,
        "media" => World.FindAccount(objectId) is not null,
        "insights" => World.FindPage(objectId) is not null || World.FindAccount(objectId) is not null,
        "comments" => World.FindPost(objectId) is not null || World.FindMedia(objectId) is not null,
        _ => false,
    };
}

/// <summary>Part of a request failed (a nested edge, a field the node does not have): Graph answers the whole request with that error.</summary>
internal sealed class GraphRequestFailure(GraphResult result) : Exception("A part of the request failed.")
{
    public GraphResult Result { get; } = result;
}
