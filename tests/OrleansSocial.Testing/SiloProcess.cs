using System.Diagnostics;
using System.Text;

namespace OrleansSocial.Testing;

/// <summary>
/// The real host (<c>OrleansSocial.Host.dll</c>) as a separate process on loopback ports, its
/// output kept for the failure message. <see cref="Kill"/> is SIGKILL: no shutdown runs.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    // A failure message needs the tail, not hours of log: past this the oldest half is dropped.
    private const int KeptOutputChars = 4 * 1024 * 1024;

    private readonly StringBuilder _output = new();

    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process, int siloPort)
    {
        _process = process;
        SiloPort = siloPort;
    }

    /// <summary>The HTTP port the process bound (it listens on port 0 and logs the port it got).</summary>
    public int HttpPort { get; private set; }

    public int SiloPort { get; }

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Every line the process writes, as it arrives (counting what the kept tail may have dropped).</summary>
    public event Action<string>? Line;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="logLevels">Leave the host's own default log levels (what an operator sees) instead of warnings only.</param>
    /// <param name="hostAssembly">The host to run; the one built beside the tests unless another (a published one) is named.</param>
    /// <param name="longLived">Compile hot code again, optimised, as a production process does: for a benchmark's silos, whose speed is the figure.</param>
    public static SiloProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> settings, int? siloPort = null, bool logLevels = false, string? hostAssembly = null,
        bool longLived = false)
    {
        Directory.CreateDirectory(workingDirectory);
        var port = siloPort ?? SiloPorts.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(hostAssembly ?? Path.Combine(AppContext.BaseDirectory, "OrleansSocial.Host.dll"));
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        start.ArgumentList.Add($"--Orleans:SiloPort={port}");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        if (!longLived)
        {
            // A test's silo lives a minute or two: methods stay at the JIT's first tier instead of being
            // compiled again once hot (that second compilation cost ~4 s of CPU in the first 10 s after
            // ready, per process, on the suite's two shared cores). The product's code is the same.
            start.Environment["DOTNET_TC_CallCounting"] = "0";
        }
        if (!logLevels)
        {
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment["Logging__LogLevel__OrleansSocial"] = "Warning";
        }

        // The "Now listening on" line tells which port the system gave the listener.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var process = new Process { StartInfo = start };
        var silo = new SiloProcess(process, port);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var listening = await Task.WhenAny(_listening.Task, Task.Delay(timeout));
        if (listening != _listening.Task)
        {
            throw new TimeoutException($"silo process never said where it listens after {timeout}:\n{Output}");
        }

        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"silo on {HttpPort} exited ({_process.ExitCode}):\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"silo on {HttpPort} not ready after {timeout}:\n{Output}");
    }

    /// <summary>Waits for the process to end by itself (one that refuses to start).</summary>
    /// <summary>The process writes its log through a pipe: a line about something that already happened may still be on its way.</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Asks the process to stop, as Ctrl+C or an orchestrator does (SIGTERM): it shuts down gracefully.</summary>
    public void Terminate()
    {
        using var signal = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        signal.WaitForExit();
    }

    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length > KeptOutputChars)
            {
                _output.Remove(0, _output.Length / 2);
            }

            _output.AppendLine(line);
        }

        Line?.Invoke(line);

        const string marker = "Now listening on: ";
        if (!_listening.Task.IsCompleted && line.IndexOf(marker, StringComparison.Ordinal) is var at and >= 0)
        {
            var address = new Uri(line[(at + marker.Length)..].Trim());
            HttpPort = address.Port;
            Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(15) };
            _listening.TrySetResult(address);
        }
    }
}
