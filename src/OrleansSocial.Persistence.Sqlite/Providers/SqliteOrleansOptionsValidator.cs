using Microsoft.Extensions.Options;

namespace OrleansSocial.Persistence.Sqlite.Providers;

/// <summary>Fails at start with a message naming the provider whose settings are wrong.</summary>
internal sealed class SqliteOrleansOptionsValidator : IValidateOptions<SqliteOrleansOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteOrleansOptions options)
    {
        var provider = string.IsNullOrEmpty(name) ? "the SQLite reminder table" : $"SQLite grain storage '{name}'";
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            return ValidateOptionsResult.Fail($"{provider}: DatabasePath is required.");
        }

        if (options.BusyTimeout <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail($"{provider}: BusyTimeout must be positive.");
        }

        return ValidateOptionsResult.Success;
    }
}
