using System.Diagnostics;
using System.Net;
using OrleansSocial.Testing;

namespace OrleansSocial.Benchmarks;

/// <summary>
/// Requests kept running against every live silo while a failover is measured: reads of the
/// tenant and writes to its settings, each worker one request at a time. Requests to a killed
/// silo fail at once and are not counted; what the survivors answer is, by status.
/// </summary>
internal sealed class FailoverLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _workers;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private volatile Target[] _targets = [];
    private long _ok;
    private long _refused;
    private long _failed;

    public FailoverLoad(int concurrency)
    {
        _workers = Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(() => WorkAsync(worker))));
    }

    /// <summary>The silos to send to (the live ones) and the tenants to send for; replaced as silos die and start.</summary>
    public void Aim(IEnumerable<SiloProcess> silos, IReadOnlyList<(string Id, string Key)> tenants) =>
        _targets = [.. silos.SelectMany(silo => tenants.Select(tenant => new Target(silo, tenant)))];

    /// <summary>Answers per second since the last call, and how many of them were 503 or other failures.</summary>
    public (double PerSecond, long Refused, long Failed) Take()
    {
        var seconds = _watch.Elapsed.TotalSeconds;
        _watch.Restart();
        var ok = Interlocked.Exchange(ref _ok, 0);
        var refused = Interlocked.Exchange(ref _refused, 0);
        var failed = Interlocked.Exchange(ref _failed, 0);
        return ((ok + refused + failed) / Math.Max(seconds, 0.001), refused, failed);
    }

    private async Task WorkAsync(int worker)
    {
        var random = new Random(worker);
        while (!_stop.IsCancellationRequested)
        {
            var targets = _targets;
            if (targets.Length == 0)
            {
                await Task.Delay(10);
                continue;
            }

            var target = targets[random.Next(targets.Length)];
            var write = random.Next(5) == 0;
            using var request = write
                ? BenchApi.TenantRequest(HttpMethod.Patch, "/api/tenant", target.Tenant, new { name = $"{target.Tenant.Id} {random.Next()}" })
                : BenchApi.TenantRequest(HttpMethod.Get, "/api/tenant", target.Tenant, null);
            try
            {
                using var response = await target.Silo.Http.SendAsync(request, _stop.Token);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK:
                        Interlocked.Increment(ref _ok);
                        break;
                    case HttpStatusCode.ServiceUnavailable:
                        Interlocked.Increment(ref _refused);
                        break;
                    default:
                        Interlocked.Increment(ref _failed);
                        break;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // The killed silo's connection, or the benchmark stopping.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _workers;
        _stop.Dispose();
    }

    private sealed record Target(SiloProcess Silo, (string Id, string Key) Tenant);
}
