namespace OrleansSocial.Storage.Sqlite;

/// <summary>Tenant data on disk is readable by the service's own user only: folders 0700, files 0600.</summary>
internal static class OwnerOnly
{
    public static readonly FileStreamOptions NewFile = Options();

    public static void CreateFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        var existed = Directory.Exists(folder);
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (existed)
        {
            // Folders made by earlier versions (0755) are tightened on the next start.
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public static void CreateFileIfMissing(string path)
    {
        try
        {
            using var _ = new FileStream(path, NewFile);
        }
        catch (IOException) when (File.Exists(path))
        {
            // There already.
        }
    }

    private static FileStreamOptions Options()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }
}
