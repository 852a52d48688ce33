using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, headless: loads a page, lets its scripts run, and returns the rendered text, or a screenshot of it.
/// When Chromium is missing the test setup installs it (scripts/install-prerequisites.sh, as root).
/// </summary>
public static partial class HeadlessChromium
{
    private const string Binary = "/usr/bin/chromium";
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <param name="scriptTime">Virtual time the page's scripts get (timers run without waiting for the wall clock).</param>
    /// <param name="deadline">Wall-clock limit for the whole run (60 s unless given).</param>
    public static async Task<string> RenderedTextAsync(Uri page, TimeSpan scriptTime, TimeSpan? deadline = null)
    {
        await EnsureInstalledAsync();
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", $"--virtual-time-budget={(int)scriptTime.TotalMilliseconds}", "--dump-dom", page.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var dom = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return Whitespace().Replace(WebUtility.HtmlDecode(Tags().Replace(await dom, " ")), " ");
    }

    /// <summary>A screenshot of the page as Chromium draws it at the given window size, written as PNG to <paramref name="png"/>.</summary>
    public static async Task ScreenshotAsync(Uri page, string png, int width, int height, TimeSpan? deadline = null)
    {
        await EnsureInstalledAsync();
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", $"--window-size={width},{height}", $"--screenshot={png}", page.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(File.Exists(png), $"Chromium wrote no screenshot ({process.ExitCode}): {await errors}");
    }

    private static async Task EnsureInstalledAsync()
    {
        if (File.Exists(Binary))
        {
            return;
        }

        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(Binary))
            {
                var script = Path.Combine(RepositoryRoot.Path, "scripts", "install-prerequisites.sh");
                using var install = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                var errors = await install.StandardError.ReadToEndAsync();
                await install.WaitForExitAsync();
                Assert.True(File.Exists(Binary), $"Chromium is missing and could not be installed ({install.ExitCode}): {errors} Install it with 'sudo apt-get install -y chromium'.");
            }
        }
        finally
        {
            Installing.Release();
        }
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
