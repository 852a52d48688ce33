using System.Text.Json.Nodes;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// What one call costs a bucket, in call units: a call always counts one against <c>call_count</c>;
/// its CPU and time depend on what it returned. Field expansion saves calls, not work: every
/// nested edge that returned items, every item in any edge and every insights read are charged,
/// so one deeply expanded request is cheaper than the calls it replaces but never free.
/// </summary>
public readonly record struct CallCost(double Cpu, double Time)
{
    /// <summary>A plain object read: the CPU and time shares the emulator always charged per call.</summary>
    public static readonly CallCost Plain = new(CpuPerUnit, TimePerUnit);

    private const double CpuPerUnit = 0.75;
    private const double TimePerUnit = 0.8;
    private const double PerExpansion = 0.2;
    private const double PerItem = 0.02;
    private const double PerInsightsRead = 0.5;

    public static CallCost Of(GraphRequest request, JsonNode? body)
    {
        var work = new Work();
        if (request.Segments is [_, "insights", ..])
        {
            work.Insights++;
        }

        Walk(body, depth: 0, ref work);
        var units = 1 + work.Expansions * PerExpansion + work.Items * PerItem + work.Insights * PerInsightsRead;
        return new CallCost(units * CpuPerUnit, units * TimePerUnit);
    }

    private static void Walk(JsonNode? node, int depth, ref Work work)
    {
        switch (node)
        {
            case JsonObject value:
                if (value["data"] is JsonArray { Count: > 0 } data)
                {
                    work.Items += data.Count;
                    if (depth > 0)
                    {
                        work.Expansions++;
                    }
                }

                foreach (var (name, child) in value)
                {
                    if (name == "insights" && child is JsonObject)
                    {
                        work.Insights++;
                    }

                    if (name != "paging" && name != "summary")
                    {
                        Walk(child, depth + 1, ref work);
                    }
                }

                break;
            case JsonArray list:
                foreach (var child in list)
                {
                    Walk(child, depth + 1, ref work);
                }

                break;
        }
    }

    private struct Work
    {
        public int Expansions;
        public int Items;
        public int Insights;
    }
}
