using System.Net.Http.Headers;
using System.Text.Json;

namespace OrleansSocial.Graph;

/// <summary>Percentages of a quota used, from one usage header (0-100, may exceed 100).</summary>
public sealed record UsageLevel(double CallCount, double TotalCpuTime, double TotalTime)
{
    public double Max => Math.Max(CallCount, Math.Max(TotalCpuTime, TotalTime));
}

/// <summary>One business-use-case entry: an object's usage for one type (pages, instagram, ...).</summary>
public sealed record BusinessUseCaseUsage(string ObjectId, string Type, UsageLevel Level, TimeSpan RegainAfter);

/// <summary>
/// What a response said about rate limits: X-App-Usage, X-Business-Use-Case-Usage and the
/// legacy X-Page-Usage. A missing header means "no data", not zero.
/// </summary>
public sealed record GraphUsage(UsageLevel? App, IReadOnlyList<BusinessUseCaseUsage> BusinessUseCases, UsageLevel? Page)
{
    public static readonly GraphUsage None = new(null, [], null);

    /// <summary>The longest regain time any bucket reported; zero when none is throttled.</summary>
    public TimeSpan RegainAfter => BusinessUseCases.Select(b => b.RegainAfter).DefaultIfEmpty(TimeSpan.Zero).Max();

    /// <summary>No usage header at all: "no data", never "0 % used" (Graph sends them once enough calls were made).</summary>
    public bool IsEmpty => App is null && Page is null && BusinessUseCases.Count == 0;

    public double MaxPercent => new[] { App?.Max ?? 0, Page?.Max ?? 0 }.Concat(BusinessUseCases.Select(b => b.Level.Max)).Max();

    public static GraphUsage From(HttpResponseHeaders headers) => From(name => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null);

    public static GraphUsage From(Func<string, string?> header) =>
        new(Level(header("X-App-Usage")), BusinessUseCasesOf(header("X-Business-Use-Case-Usage")), Level(header("X-Page-Usage")));

    private static UsageLevel? Level(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return Level(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static UsageLevel Level(JsonElement element) =>
        new(Number(element, "call_count"), Number(element, "total_cputime"), Number(element, "total_time"));

    private static IReadOnlyList<BusinessUseCaseUsage> BusinessUseCasesOf(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var list = new List<BusinessUseCaseUsage>();
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                foreach (var usage in entry.Value.ValueKind == JsonValueKind.Array ? entry.Value.EnumerateArray() : Enumerable.Empty<JsonElement>())
                {
                    list.Add(new BusinessUseCaseUsage(entry.Name,
                        usage.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "",
                        Level(usage),
                        TimeSpan.FromMinutes(Number(usage, "estimated_time_to_regain_access"))));
                }
            }

            return list;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static double Number(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) ? 0
        : value.ValueKind == JsonValueKind.Number ? value.GetDouble()
        : value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed
        : 0;
}

/// <summary>A value with the usage its response reported.</summary>
public sealed record GraphResult<T>(T Value, GraphUsage Usage);

/// <summary>One page of an edge, with its usage.</summary>
/// <param name="IsLast">Nothing follows: reading on would make no call (callers counting calls stop here).</param>
public sealed record GraphPage<T>(IReadOnlyList<T> Items, GraphUsage Usage, bool IsLast = false);
