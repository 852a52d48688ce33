using System.Diagnostics;
using System.Text;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>
/// Runs a program a test needs (bash, npm, a linter, dotnet publish) to its end or a deadline: its exit
/// code and its output, stdout and stderr lines in the order they came (stderr lines marked).
/// </summary>
public static class ExternalProcess
{
    public static async Task<(int Exit, string Output)> RunAsync(
        string file, IEnumerable<string> arguments, TimeSpan timeout, string? input = null, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data, "");
        process.ErrorDataReceived += (_, e) => Append(output, e.Data, "stderr: ");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            lock (output)
            {
                return (-1, output + $"\n(timed out after {timeout})");
            }
        }

        // The exit can come before the last lines are read: this wait drains them.
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static void Append(StringBuilder output, string? line, string mark)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Append(mark).AppendLine(line);
        }
    }
}
