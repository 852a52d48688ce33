using System.Diagnostics;

namespace OrleansSocial.Benchmarks;

internal sealed record LoadResult(double Rate, double P50, double P99, int Errors);

/// <summary>Closed-loop load: <c>concurrency</c> workers each send the next request as soon as the last one answered.</summary>
internal static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(HttpClient http, Func<HttpRequestMessage> request, TimeSpan duration, int concurrency)
    {
        var latencies = new List<double>[concurrency];
        var errors = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var own = latencies[worker] = new List<double>(100_000);
            while (watch.Elapsed < duration)
            {
                using var message = request();
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(message);
                await response.Content.ReadAsByteArrayAsync();
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }

                own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(all.Length / watch.Elapsed.TotalSeconds, all[all.Length / 2], all[(int)(all.Length * 0.99)], errors);
    }
}
