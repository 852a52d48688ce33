using System.ComponentModel.DataAnnotations;

namespace OrleansSocial.Api.Configuration;

/// <summary>Limits of the HTTP front (<c>Api</c> section).</summary>
public sealed class ApiOptions
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
}
