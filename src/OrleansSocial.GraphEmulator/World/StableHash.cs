using System.Globalization;
using System.Text;

namespace OrleansSocial.GraphEmulator.World;

/// <summary>
/// A hash that is the same in every process and on every machine (FNV-1a over the parts' invariant
/// text). <c>HashCode.Combine</c> is randomised per process, so a world seeded with it changed at every restart.
/// </summary>
public static class StableHash
{
    public static int Of(params object[] parts)
    {
        var hash = 2166136261u;
        foreach (var part in parts)
        {
            foreach (var b in Encoding.UTF8.GetBytes(Convert.ToString(part, CultureInfo.InvariantCulture) + "\u001f"))
            {
                hash = (hash ^ b) * 16777619u;
            }
        }

        return unchecked((int)hash);
    }
}
