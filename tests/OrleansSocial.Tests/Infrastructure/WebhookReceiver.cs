using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>
/// A real webhook receiver on loopback (port 0, address read back): records every request per path
/// and answers each path's scripted statuses in turn (200 once the script is used up).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At);

    /// <summary>A scripted "status" meaning: do not answer for 30 seconds.</summary>
    public const int Hang = -1;

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _scripts = new();

    public ConcurrentQueue<Received> Requests { get; } = new();

    public Uri BaseUrl { get; }

    private WebhookReceiver(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.Path.Value ?? "/";
            receiver!.Requests.Enqueue(new Received(path, context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body, DateTimeOffset.UtcNow));
            var status = receiver._scripts.TryGetValue(path, out var script) && script.TryDequeue(out var scripted) ? scripted : 200;
            if (status == Hang)
            {
                // A receiver that never answers in time.
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            context.Response.StatusCode = status;
            await context.Response.WriteAsync(context.Response.StatusCode == 200 ? "ok" : "scripted failure");
        });
        await app.StartAsync();
        receiver = new WebhookReceiver(app, new Uri(app.Urls.First()));
        return receiver;
    }

    /// <summary>A fresh path on this receiver answering <paramref name="statuses"/> first.</summary>
    public string Endpoint(params int[] statuses)
    {
        var path = $"/hooks/{Guid.NewGuid():N}";
        _scripts[path] = new ConcurrentQueue<int>(statuses);
        return new Uri(BaseUrl, path).ToString();
    }

    public void Script(string url, params int[] statuses) => _scripts[new Uri(url).AbsolutePath] = new ConcurrentQueue<int>(statuses);

    public List<Received> To(string url) => [.. Requests.Where(r => r.Path == new Uri(url).AbsolutePath)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
