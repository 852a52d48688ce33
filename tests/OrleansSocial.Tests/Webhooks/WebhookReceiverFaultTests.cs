using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Webhooks;

/// <summary>Webhooks to loopback with a one-second attempt bound and a two-second Retry-After cap.</summary>
public sealed class BoundedWebhookHost : TenancyHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:Timeout"] = "00:00:01",
        ["Webhooks:MaxRetryAfter"] = "00:00:02",
        ["Webhooks:RetryDelays:0"] = "00:00:00.100",
        ["Webhooks:RetryDelays:1"] = "00:00:00.100",
        ["Webhooks:RetryDelays:2"] = "00:00:00.100",
        ["Webhooks:DisableAfterFailedDeliveries"] = "100",
        ["Webhooks:ReminderPeriod"] = "00:00:01",
        ["Orleans:MinimumReminderPeriod"] = "00:00:01",
        ["Sync:InitialSyncWindow"] = "1.00:00:00",
    };
}

/// <summary>
/// Receivers that misbehave at the HTTP level, served by a raw socket (port 0, read back): one that
/// sends its headers and then stalls, one that asks to be retried in the year 9999. Neither can hold
/// an endpoint's deliveries. And the endpoint cap holds under concurrent registrations.
/// </summary>
public sealed class WebhookReceiverFaultTests(BoundedWebhookHost host) : IClassFixture<BoundedWebhookHost>
{
    private ApiClient Api => host.Api;

    /// <summary>Answers every request with <paramref name="response"/> and keeps the connection open; counts requests.</summary>
    private sealed class RawReceiver : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentBag<TcpClient> _clients = [];
        private readonly Task _loop;
        private int _requests;

        public RawReceiver(string response)
        {
            _listener.Start();
            _loop = AcceptAsync(Encoding.ASCII.GetBytes(response));
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook";

        public int Requests => Volatile.Read(ref _requests);

        private async Task AcceptAsync(byte[] response)
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _clients.Add(client);
                    _ = ServeAsync(client, response);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task ServeAsync(TcpClient client, byte[] response)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[64 * 1024];
                var seen = new StringBuilder();
                while (!_stop.IsCancellationRequested)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    // One request per connection is enough here: answer once its headers are in, then hold the line.
                    if (seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref _requests);
                        await stream.WriteAsync(response, _stop.Token);
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            await _loop;
        }
    }

    private async Task<string> RegisterAsync(ApiClient.Tenant tenant, string url)
    {
        var created = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey, new { url, events = new[] { "post.published" } }));
        return created.GetProperty("webhook").GetProperty("webhookId").GetString()!;
    }

    private async Task<JsonElement> DeliveryAsync(ApiClient.Tenant tenant, string webhookId, Func<JsonElement, bool> done, int seconds = 20)
    {
        var log = await Eventually.ValueAsync(
            async () => await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/webhooks/{webhookId}/deliveries", tenant.Id, tenant.OwnerKey)),
            log => log.GetProperty("items").EnumerateArray().Any(done),
            TimeSpan.FromSeconds(seconds),
            TimeSpan.FromMilliseconds(100));
        return log.GetProperty("items").EnumerateArray().First(done);
    }

    [Fact]
    public async Task A_receiver_that_stalls_after_its_headers_costs_one_bounded_attempt_and_the_endpoint_goes_on()
    {
        await using var stalling = new RawReceiver("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\npartial");
        var tenant = await Api.CreateTenantAsync();
        var id = await RegisterAsync(tenant, stalling.Url);

        await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{id}/test", tenant.Id, tenant.OwnerKey);

        // Attempted and recorded as a temporary failure within the one-second bound, then tried again: never stuck at 0 attempts.
        var delivery = await DeliveryAsync(tenant, id, d => d.GetProperty("attempts").GetInt32() >= 2);
        Assert.Contains("within 1 s", delivery.GetProperty("lastError").GetString());
        Assert.True(stalling.Requests >= 2);

        // A second event is not held up behind the first: the endpoint keeps working through its queue.
        await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{id}/test", tenant.Id, tenant.OwnerKey);
        await Eventually.UntilAsync(async () => (await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, $"/api/webhooks/{id}/deliveries", tenant.Id, tenant.OwnerKey)))
            .GetProperty("items").EnumerateArray().Count(d => d.GetProperty("attempts").GetInt32() >= 1) == 2, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_retry_after_in_the_year_9999_waits_only_the_cap_and_counts_as_a_failed_attempt()
    {
        await using var parking = new RawReceiver("HTTP/1.1 503 Service Unavailable\r\nRetry-After: Fri, 31 Dec 9999 23:59:59 GMT\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        var tenant = await Api.CreateTenantAsync();
        var id = await RegisterAsync(tenant, parking.Url);

        await Api.TenantAsync(HttpMethod.Post, $"/api/webhooks/{id}/test", tenant.Id, tenant.OwnerKey);

        var first = await DeliveryAsync(tenant, id, d => d.GetProperty("attempts").GetInt32() >= 1);
        Assert.Equal(503, first.GetProperty("lastResponseCode").GetInt32());
        var next = first.GetProperty("nextAttemptAt").GetDateTimeOffset();
        Assert.True(next < DateTimeOffset.UtcNow.AddMinutes(1), $"next attempt at {next:O}");
        // Tried again after the two-second cap, each try counted.
        await DeliveryAsync(tenant, id, d => d.GetProperty("attempts").GetInt32() >= 2, seconds: 30);
    }

    [Fact]
    public async Task Concurrent_registrations_stop_exactly_at_the_endpoint_cap()
    {
        var tenant = await Api.CreateTenantAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey, new { url = $"http://127.0.0.1:9/hook-{i}", events = new[] { "post.published" } })));

        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            var problem = await ProblemAssert.IsProblemAsync(refused, 403);
            Assert.Equal("webhooks", problem.GetProperty("limit").GetString());
        }

        var listed = await ApiClient.JsonAsync(await Api.TenantAsync(HttpMethod.Get, "/api/webhooks", tenant.Id, tenant.OwnerKey));
        Assert.Equal(20, listed.GetProperty("items").GetArrayLength());
    }
}
