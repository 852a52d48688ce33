using System.Globalization;
using System.Net.Http.Headers;

namespace OrleansSocial.GraphEmulator.Webhooks;

/// <summary>
/// Sends the queued webhook POSTs to the app's callback and retries the ones that get no 2xx on
/// Meta's schedule (<see cref="EmulatorOptions.WebhookRetryDelays"/>, on the emulator clock), dropping
/// them after <see cref="EmulatorOptions.WebhookDropAfter"/>.
/// </summary>
internal sealed class WebhookSender(EmulatorState state) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly List<WebhookDelivery> _pending = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = state.Options.WebhookTimeout };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("facebookexternalua");
        using var timer = new PeriodicTimer(Tick);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            _pending.AddRange(state.Webhooks.TakeNewDeliveries());
            var now = state.Clock.Now;
            var due = _pending.Where(d => d.NextAt <= now).ToList();
            await Task.WhenAll(due.Select(d => AttemptAsync(http, d, stoppingToken)));
            _pending.RemoveAll(d => d.Status != "pending");
        }
    }

    private async Task AttemptAsync(HttpClient http, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var subscription = state.Webhooks.AppSubscriptionFor(delivery.Object);
        delivery.Attempts++;
        int? status = null;
        if (subscription is not null)
        {
            try
            {
                using var content = new ByteArrayContent(delivery.Body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, subscription.CallbackUrl) { Content = content };
                request.Headers.Add("X-Hub-Signature-256", state.Webhooks.Sign(delivery.Body));
                using var response = await http.SendAsync(request, cancellationToken);
                status = (int)response.StatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                status = null;
            }
        }

        delivery.LastStatusCode = status;
        if (status is >= 200 and < 300)
        {
            delivery.Status = "delivered";
            delivery.NextAt = null;
            return;
        }

        var delays = state.Options.WebhookRetryDelays;
        var next = state.Options.WebhookRetryEvery is { } every ? state.Clock.Now + every
            : delivery.Attempts < delays.Count ? delivery.CreatedAt + Cumulative(delays, delivery.Attempts) : (DateTimeOffset?)null;
        if (next is null || next - delivery.CreatedAt > state.Options.WebhookDropAfter)
        {
            delivery.Status = "dropped";
            delivery.NextAt = null;
        }
        else
        {
            delivery.NextAt = next;
        }
    }

    /// <summary>The schedule's delays are offsets from the first attempt, each after the one before it.</summary>
    private static TimeSpan Cumulative(List<TimeSpan> delays, int attempts) =>
        delays.Take(attempts + 1).Aggregate(TimeSpan.Zero, (sum, d) => sum + d);
}

/// <summary>The verification handshake Meta runs when an app subscription is saved.</summary>
internal static class WebhookHandshake
{
    public static async Task<bool> RunAsync(string callbackUrl, string verifyToken, TimeSpan timeout)
    {
        var challenge = Random.Shared.Next(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture);
        var separator = callbackUrl.Contains('?') ? '&' : '?';
        var url = $"{callbackUrl}{separator}hub.mode=subscribe&hub.challenge={challenge}&hub.verify_token={Uri.EscapeDataString(verifyToken)}";
        try
        {
            using var http = new HttpClient { Timeout = timeout };
            using var response = await http.GetAsync(url);
            return response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync() == challenge;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
