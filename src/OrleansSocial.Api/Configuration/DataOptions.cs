using System.ComponentModel.DataAnnotations;

namespace OrleansSocial.Api.Configuration;

/// <summary>The data folder of the embedded profile (<c>Data</c> section).</summary>
public sealed class DataOptions
{
    public const string Section = "Data";

    /// <summary>Folder for embedded databases and generated secrets; relative paths resolve against the working directory.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Data:Path must name a folder.")]
    public string Path { get; set; } = "data";

    public string FullPath => System.IO.Path.GetFullPath(Path);
}
