using System.Text;

namespace OrleansSocial.Api.Secrets;

/// <summary>Secret files in the data folder: created with owner-only permissions from the first byte.</summary>
public static class OwnerOnlyFile
{
    public static void CreateNew(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(content));
    }
}
