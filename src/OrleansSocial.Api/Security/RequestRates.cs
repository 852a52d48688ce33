using System.Threading.RateLimiting;

namespace OrleansSocial.Api.Security;

/// <summary>Token buckets that refill continuously, so a refusal's Retry-After is the real time until the next permit.</summary>
internal static class RequestRates
{
    public static TokenBucketRateLimiterOptions PerMinute(int burst, int perMinute)
    {
        // Whole tokens per period: 90 a minute is 2 tokens every 1.33 s, not 1 a second.
        var tokens = Math.Max(1, (int)Math.Ceiling(perMinute / 60.0));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) * tokens / perMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    public static int RetryAfterSeconds(RateLimitLease lease, TimeSpan fallback) =>
        Math.Max(1, (int)Math.Ceiling((lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : fallback).TotalSeconds));
}
