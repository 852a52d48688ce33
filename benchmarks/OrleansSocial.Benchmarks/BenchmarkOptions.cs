using System.Globalization;

namespace OrleansSocial.Benchmarks;

internal sealed record BenchmarkOptions(string Name, int Tenants, int Seconds, int Concurrency, int Channels, int Posts = 10, string Isolation = "database")
{
    public static BenchmarkOptions Parse(string[] args)
    {
        int Int(string flag, int fallback)
        {
            var at = Array.IndexOf(args, flag);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
        }

        var isolation = Array.IndexOf(args, "--isolation") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : "database";
        return new BenchmarkOptions(args.FirstOrDefault() ?? "", Int("--tenants", 1000), Int("--seconds", 10), Int("--concurrency", 16), Int("--channels", 10), Int("--posts", 10), isolation);
    }
}

internal static class MachineInfo
{
    public static string Describe()
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"machine: {Environment.ProcessorCount} cores, {memory:F1} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
               $".NET {Environment.Version}, {(System.Diagnostics.Debugger.IsAttached ? "debugger" : "no debugger")}, " +
#if DEBUG
               "Debug build (numbers are pessimistic: use -c Release)";
#else
               "Release build";
#endif
    }
}
