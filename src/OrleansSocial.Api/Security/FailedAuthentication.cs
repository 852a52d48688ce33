using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OrleansSocial.Api.Configuration;

using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Security;

/// <summary>
/// Failed authentication as a security event and a budget per client address and credential. Every
/// failure is logged (warning, client address, the key's public id when it parses — never the secret)
/// and spends a token of the bucket of that address and that credential (ASP.NET Core's
/// rate-limiting primitives): a member key's public id, the operator key, or "no usable key". A
/// credential with no tokens left from that address is refused with 429 before its secret is even
/// looked at, so guessing a key learns nothing; other credentials from the same address (members
/// behind the same proxy, the operator) are not locked out by it. The client address is the
/// connection's, or the forwarded one when the connection comes from a proxy named in <c>Api:KnownProxies</c>.
/// </summary>
public sealed partial class FailedAuthentication(IOptions<ApiOptions> options, TimeProvider time, OrleansSocial.ReadModels.Operations.OperatorFigures figures, ILogger<FailedAuthentication> logger) : IDisposable
{
    private static readonly TimeSpan BlockedLogInterval = TimeSpan.FromSeconds(10);
    private const int MaxRemembered = 10_000;

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => RequestRates.PerMinute(options.Value.FailedAuthenticationBurst, options.Value.FailedAuthenticationsPerMinute)));

    private readonly ConcurrentDictionary<string, DateTimeOffset> _blockedLogged = new();

    /// <summary>When each address last failed (real time, as the limiter's own refill); only those that failed lately can be out of tokens.</summary>
    private readonly ConcurrentDictionary<string, long> _lastFailure = new();

    /// <summary>
    /// An address whose last failure is older than this has had at least one replenishment since
    /// (twice the period, plus a second for the limiter's timer), so a whole permit is there: it
    /// cannot be blocked, and the common request — one that never failed — skips the limiter and
    /// its lock.
    /// </summary>
    private readonly TimeSpan _quiet = RequestRates.PerMinute(options.Value.FailedAuthenticationBurst, options.Value.FailedAuthenticationsPerMinute).ReplenishmentPeriod * 2 + TimeSpan.FromSeconds(1);

    /// <summary>What a request authenticates with, as a budget's name: a member key's public id, the operator key, or none usable.</summary>
    public static string Credential(string? presentedKey, bool operatorScheme = false) =>
        operatorScheme ? "operator" : ApiKeys.Parse(presentedKey) is { } parsed ? "key:" + parsed.KeyId : "none";

    /// <summary>Seconds to wait when this address has spent its failures with this credential, else null. Spends nothing.</summary>
    public int? Blocked(HttpContext context, string credential)
    {
        var address = AddressOf(context) + "|" + credential;
        if (!_lastFailure.TryGetValue(address, out var failedAt) || Stopwatch.GetElapsedTime(failedAt) > _quiet)
        {
            return null;
        }

        // Not AttemptAcquire(0): the bucket refills in fractions, and a fraction of a token counts as
        // "available" to a zero-permit probe, so an exhausted address would never be stopped.
        if (_limiter.GetStatistics(address) is not { CurrentAvailablePermits: < 1 })
        {
            return null;
        }

        // A whole permit is not there, so this probe fails without spending anything; it knows the wait.
        using var lease = _limiter.AttemptAcquire(address, 1);
        if (lease.IsAcquired)
        {
            return null;
        }

        var now = time.GetUtcNow();
        // One line per address every few seconds, however hard it knocks: the log is not the attacker's to fill.
        if (!_blockedLogged.TryGetValue(address, out var last) || now - last > BlockedLogInterval)
        {
            _blockedLogged[address] = now;
            LogBlocked(logger, AddressOf(context), credential, context.Request.Path);
        }

        return RequestRates.RetryAfterSeconds(lease, TimeSpan.FromMinutes(1));
    }

    /// <summary>Records one failure: a structured security event and a spent token.</summary>
    public void Failed(HttpContext context, string scheme, string reason, string? presentedKey, string? tenantId, string? credential = null)
    {
        var client = AddressOf(context);
        var keyId = ApiKeys.Parse(presentedKey) is { } parsed ? parsed.KeyId : null;
        LogFailed(logger, scheme, reason, client, tenantId, keyId, context.Request.Method, context.Request.Path);
        figures.AuthenticationFailed();
        SecurityMetrics.AuthenticationFailed(scheme);
        var address = client + "|" + (credential ?? Credential(presentedKey));
        _lastFailure[address] = Stopwatch.GetTimestamp();
        using var lease = _limiter.AttemptAcquire(address, 1);
        if (_lastFailure.Count > MaxRemembered)
        {
            // Many addresses failing (a scan): keep only those that can still be blocked.
            foreach (var (other, at) in _lastFailure)
            {
                if (Stopwatch.GetElapsedTime(at) > _quiet)
                {
                    _lastFailure.TryRemove(other, out _);
                }
            }
        }
    }

    public static async Task WriteTooManyAsync(HttpContext context, int seconds)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many failed authentications",
                Detail = $"Too many requests from this address failed to authenticate; retry in {seconds} s.",
                Type = Errors.ProblemTypes.Base + "authentication-throttled",
            },
        });
    }

    public void Dispose() => _limiter.Dispose();

    private static string AddressOf(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : IPAddress.None.ToString();

    [LoggerMessage(EventId = 140, Level = LogLevel.Warning, EventName = "AuthenticationFailed",
        Message = "Security: {Scheme} authentication failed ({Reason}) from {ClientAddress}, tenant {TenantId}, key id {KeyId}, on {Method} {Path}")]
    private static partial void LogFailed(ILogger logger, string scheme, string reason, string clientAddress, string? tenantId, string? keyId, string method, string path);

    [LoggerMessage(EventId = 141, Level = LogLevel.Warning, EventName = "AuthenticationThrottled",
        Message = "Security: {ClientAddress} is refused (429) after too many failed authentications with {Credential}, on {Path}")]
    private static partial void LogBlocked(ILogger logger, string clientAddress, string credential, string path);
}
