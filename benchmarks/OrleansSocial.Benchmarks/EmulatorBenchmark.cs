using System.Net.Http.Headers;
using OrleansSocial.GraphEmulator;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// The emulator's requests per second for a typical sync read: one page of a Page's posts
/// with engagement by field expansion, over 1,000 Pages with their Page tokens, so later
/// benchmarks know whether the emulator is their bottleneck. Load comes from this process.
/// </summary>
internal static class EmulatorBenchmark
{
    private const string Fields = "id,message,created_time,updated_time,permalink_url,shares,comments.limit(0).summary(true),reactions.limit(0).summary(total_count)";

    public static async Task RunAsync(BenchmarkOptions options)
    {
        await using var emulator = await EmulatorHost.StartAsync(o =>
        {
            o.Users = 100;
            o.PagesPerUser = 10;
            o.PostsPerPage = 60;
            o.PageCallsPerDay = int.MaxValue;
            o.AppCallsPerHour = int.MaxValue;
        });
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = emulator.BaseUrl };

        var state = emulator.State;
        var targets = state.World.Users.SelectMany(user =>
        {
            var userToken = state.Tokens.ExchangeForLongLived(state.Tokens.Find(state.Tokens.UserTokenOf(user))!, state.Clock.Now);
            return state.World.PagesOf(user).Select(page => (page.Id, Token: state.Tokens.PageTokenFor(userToken, page, state.Clock.Now).Token));
        }).ToArray();
        Console.WriteLine($"emulator benchmark: {targets.Length} Pages, concurrency {options.Concurrency}, {options.Seconds} s, request: GET /v25.0/{{page}}/published_posts?limit=25&fields=…(field expansion)");

        var next = 0;
        HttpRequestMessage TypicalSyncRead()
        {
            var (id, token) = targets[(Interlocked.Increment(ref next) & int.MaxValue) % targets.Length];
            var request = new HttpRequestMessage(HttpMethod.Get, $"/v25.0/{id}/published_posts?limit=25&fields={Uri.EscapeDataString(Fields)}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return request;
        }

        var warm = await LoadGenerator.RunAsync(http, TypicalSyncRead, TimeSpan.FromSeconds(3), options.Concurrency);
        var result = await LoadGenerator.RunAsync(http, TypicalSyncRead, TimeSpan.FromSeconds(options.Seconds), options.Concurrency);
        Console.WriteLine($"warm-up: {warm.Rate:F0} req/s (first reads generate each Page's content)");
        Console.WriteLine($"typical sync read: {result.Rate,8:F0} req/s  p50 {result.P50:F2} ms  p99 {result.P99:F2} ms  errors {result.Errors}");
    }
}
