using System.ComponentModel.DataAnnotations;

namespace OrleansSocial.Api.Configuration;

/// <summary>Limits of the HTTP front (<c>Api</c> section).</summary>
public sealed class ApiOptions : IValidatableObject
{
    public const string Section = "Api";

    /// <summary>Larger request bodies are refused with 413.</summary>
    [Range(1_024, 64 * 1024 * 1024, ErrorMessage = "Api:MaxRequestBodyBytes must be between 1024 and 67108864.")]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// On shutdown, readiness turns false at once and requests are still served this long, so a
    /// load balancer stops sending traffic before the listener closes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Api:ShutdownDrainDelay must be between 00:00:00 and 00:05:00.")]
    public TimeSpan ShutdownDrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Failed authentications (no key, a wrong key, a wrong operator key) one client address may make
    /// in a burst; past it every unauthenticated attempt from that address is 429 until tokens refill.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Api:FailedAuthenticationBurst must be between 1 and 1000000.")]
    public int FailedAuthenticationBurst { get; set; } = 30;

    /// <summary>How many failed attempts a minute a client address earns back.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Api:FailedAuthenticationsPerMinute must be between 1 and 1000000.")]
    public int FailedAuthenticationsPerMinute { get; set; } = 30;

    /// <summary>
    /// Addresses of reverse proxies in front of this host (IP addresses). A request whose connection
    /// comes from one of them is taken to come from the last address its X-Forwarded-For names, for the
    /// failed-authentication budget and the logs. Empty (the default): X-Forwarded-For is ignored, so a
    /// client cannot pick the address it is judged by.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>
    /// Tenants whose members' access decisions this silo keeps (see <see cref="Tenancy.AccessCache"/>);
    /// past it, new decisions are not kept. 0 asks the tenant grain on every request.
    /// </summary>
    [Range(0, 1_000_000, ErrorMessage = "Api:AccessCacheTenants must be between 0 and 1000000.")]
    public int AccessCacheTenants { get; set; } = 10_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies)
        {
            if (!System.Net.IPAddress.TryParse(proxy, out _))
            {
                yield return new ValidationResult($"Api:KnownProxies: '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
            }
        }
    }
}
