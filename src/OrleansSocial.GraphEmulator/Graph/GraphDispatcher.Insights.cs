using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator.Graph;

public sealed partial class GraphDispatcher
{
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(90);

    /// <summary>
    /// <c>GET /{object}/insights[/{metric}[/{period}]]</c>: one entry per (metric, period), daily
    /// values ending at Pacific midnight, windows shifted by previous/next, and the whole call
    /// refused when any metric is invalid or deprecated.
    /// </summary>
    private GraphResult Insights(GraphRequest request, TokenInfo token)
    {
        var id = request.Segments[0];
        if (RenderObject(id, [], token) is null)
        {
            return GraphErrors.NotFound(id);
        }

        var scope = World.FindPage(id) is not null ? InsightScope.Page
            : World.FindPost(id) is not null ? InsightScope.Post
            : World.FindAccount(id) is not null ? InsightScope.InstagramUser
            : World.FindMedia(id) is not null ? InsightScope.InstagramMedia
            : (InsightScope?)null;
        if (scope is null)
        {
            return GraphErrors.UnsupportedPath();
        }

        var metricList = request.Segments.Count > 2 ? request.Segments[2] : request["metric"];
        if (string.IsNullOrWhiteSpace(metricList))
        {
            return GraphErrors.Error(3001, "No metric was specified to be fetched. Please specify one or more metrics to be fetched", 1504028);
        }

        var metrics = metricList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (metrics.Any(m => !InsightMetrics.IsValid(m, scope.Value, state.Options.DeprecatedMetrics)))
        {
            return GraphErrors.InvalidMetric();
        }

        var period = request.Segments.Count > 3 ? request.Segments[3] : request["period"];
        var until = ParseTime(request["until"]) ?? Now;
        var since = ParseTime(request["since"]) ?? until - TimeSpan.FromDays(2);
        if (until - since > MaxWindow)
        {
            return GraphErrors.Error(100, "There cannot be more than 90 days (7776000 s) between since and until");
        }

        var totalValue = request["metric_type"] == "total_value";
        var data = new JsonArray();
        foreach (var metric in metrics)
        {
            var periods = InsightMetrics.PeriodsOf(metric, scope.Value);
            if (period is not null && !periods.Contains(period))
            {
                if (scope is InsightScope.Post or InsightScope.InstagramMedia || period == "lifetime")
                {
                    return GraphErrors.InvalidMetric();
                }

                continue;
            }

            foreach (var p in period is null ? periods : [period])
            {
                data.Add(Series(id, metric, p, scope.Value, since, until, totalValue));
            }
        }

        var body = new JsonObject { ["data"] = data };
        if (scope is InsightScope.Page or InsightScope.InstagramUser)
        {
            var width = until - since;
            body["paging"] = new JsonObject
            {
                ["previous"] = Link(request, ("since", (since - width).ToUnixTimeSeconds().ToString()), ("until", since.ToUnixTimeSeconds().ToString())),
                ["next"] = Link(request, ("since", until.ToUnixTimeSeconds().ToString()), ("until", (until + width).ToUnixTimeSeconds().ToString())),
            };
        }

        return GraphResult.Ok(body);
    }

    private JsonObject Series(string id, string metric, string period, InsightScope scope, DateTimeOffset since, DateTimeOffset until, bool totalValue)
    {
        var breakdown = InsightMetrics.IsBreakdown(metric, scope);
        var entry = new JsonObject
        {
            ["name"] = metric,
            ["period"] = period,
        };
        var seed = state.Options.Seed;
        if (period == "lifetime")
        {
            var value = InsightMetrics.Value(seed, id, metric, "days_28", InsightMetrics.EndOfPacificDay(Now), breakdown, state.Shapes);
            if (breakdown && scope == InsightScope.InstagramUser)
            {
                entry["total_value"] = Breakdowns(value);
            }
            else
            {
                entry["values"] = new JsonArray(new JsonObject { ["value"] = value });
            }
        }
        else
        {
            var ends = new List<DateTimeOffset>();
            for (var end = InsightMetrics.EndOfPacificDay(since); end <= until && end <= InsightMetrics.EndOfPacificDay(Now); end = InsightMetrics.EndOfPacificDay(end + TimeSpan.FromHours(1)))
            {
                ends.Add(end);
            }

            if (totalValue)
            {
                entry["total_value"] = new JsonObject { ["value"] = ends.Sum(e => InsightMetrics.DayValue(seed, id, metric, e, state.Shapes)) };
            }
            else
            {
                entry["values"] = new JsonArray(ends.Select(e => (JsonNode)new JsonObject
                {
                    ["value"] = InsightMetrics.Value(seed, id, metric, period, e, breakdown, state.Shapes),
                    ["end_time"] = Render.Time(e),
                }).ToArray());
            }
        }

        entry["title"] = InsightMetrics.Title(metric);
        entry["description"] = $"Emulated: {InsightMetrics.Title(metric)}";
        entry["id"] = $"{id}/insights/{metric}/{period}";
        return entry;
    }

    private static JsonObject Breakdowns(JsonNode value)
    {
        var results = new JsonArray();
        long total = 0;
        foreach (var (country, count) in value.AsObject())
        {
            total += count!.GetValue<long>();
            results.Add(new JsonObject { ["dimension_values"] = new JsonArray(country), ["value"] = count.DeepClone() });
        }

        return new JsonObject
        {
            ["value"] = total,
            ["breakdowns"] = new JsonArray(new JsonObject { ["dimension_keys"] = new JsonArray("country"), ["results"] = results }),
        };
    }
}
