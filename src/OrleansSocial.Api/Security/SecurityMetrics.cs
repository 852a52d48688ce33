using System.Diagnostics.Metrics;

namespace OrleansSocial.Api.Security;

/// <summary>The front's security events (meter <c>OrleansSocial.Security</c>): failed authentications by scheme, never by key or address.</summary>
public static class SecurityMetrics
{
    public const string MeterName = "OrleansSocial.Security";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("orleans_social.auth.failed", description: "Requests whose credentials were refused, by scheme (member or operator)");

    public static void AuthenticationFailed(string scheme) => Failed.Add(1, new KeyValuePair<string, object?>("scheme", scheme));
}
