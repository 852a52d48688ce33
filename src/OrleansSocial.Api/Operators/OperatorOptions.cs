using System.ComponentModel.DataAnnotations;

namespace OrleansSocial.Api.Operators;

/// <summary>The operator identity (<c>Operator</c> section).</summary>
public sealed class OperatorOptions
{
    public const string Section = "Operator";

    /// <summary>When unset, the host generates a key in the data folder at first start.</summary>
    [MinLength(32, ErrorMessage = "Operator:ApiKey must be at least 32 characters; leave it unset to have one generated.")]
    public string? ApiKey { get; set; }
}
