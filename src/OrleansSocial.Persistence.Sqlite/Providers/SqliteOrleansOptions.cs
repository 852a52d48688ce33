using System.ComponentModel.DataAnnotations;

namespace OrleansSocial.Persistence.Sqlite.Providers;

/// <summary>Where a SQLite-backed Orleans provider keeps its file.</summary>
public sealed class SqliteOrleansOptions
{
    /// <summary>Path of the SQLite database file; its folder is created when missing.</summary>
    [Required(ErrorMessage = "The SQLite file path of the Orleans provider is required.")]
    public string DatabasePath { get; set; } = "";

    /// <summary>How long a writer waits for another writer's lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
