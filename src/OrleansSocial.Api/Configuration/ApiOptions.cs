using System.ComponentModel.DataAnnotations;

namespace OrleansSocial.Api.Configuration;

/// <summary>Limits of the HTTP front (<c>Api</c> section).</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Larger request bodies are refused with 413.</summary>
    [Range(1_024, 64 * 1024 * 1024, ErrorMessage = "Api:MaxRequestBodyBytes must be between 1024 and 67108864.")]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}
