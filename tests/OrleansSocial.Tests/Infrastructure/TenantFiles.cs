namespace OrleansSocial.Tests.Infrastructure;

/// <summary>Reads a tenant's SQLite database file as raw text, so tests can prove what is (not) stored in it.</summary>
public static class TenantFiles
{
    public static string PathOf(string dataPath, string tenantId) =>
        Path.Combine(dataPath, "tenants", $"tenant_{tenantId.Replace('-', '_')}.db");

    /// <summary>The file and its write-ahead log, read while the host still has them open.</summary>
    public static async Task<string> ReadRawAsync(string path)
    {
        var text = new System.Text.StringBuilder();
        foreach (var file in new[] { path, path + "-wal" }.Where(File.Exists))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
            text.Append(await reader.ReadToEndAsync());
        }

        return text.ToString();
    }
}
