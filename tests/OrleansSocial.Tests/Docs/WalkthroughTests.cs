using System.Text;
using System.Text.RegularExpressions;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Docs;

/// <summary>
/// The shell blocks of the README's first request and of the walkthroughs, run as written against the
/// real host process: the README's, the first hour's, then posts, Instagram Login, webhooks, the inbox and members in the
/// same shell, and the first hour's "Delete the tenant" last. The host's address and data folder are
/// pointed at this test's host (the address the system gave it, its own folder); everything else runs
/// unchanged, with curl, jq and python3.
/// The host runs with Webhooks:AllowPrivateNetworks, as the webhooks walkthrough says to start it.
/// </summary>
public sealed partial class WalkthroughTests
{
    private const string ApiLine = "API=http://localhost:5000";
    private const string DataLine = "DATA=src/OrleansSocial.Host/data";
    private const string DeleteHeading = "## Delete the tenant";
    private const string ReadmeSection = "## A first request or two";
    private const string DefaultDataFolder = "src/OrleansSocial.Host/data";

    private static readonly string[] Continuations = ["posts.md", "instagram-login.md", "webhooks.md", "inbox.md", "members.md"];

    [Fact]
    public async Task Every_walkthrough_block_runs_as_written_against_a_running_host()
    {
        using var data = new TempFolder("orleans-social-walkthrough");
        var settings = new Dictionary<string, string> { ["Data:Path"] = data.Path, ["Webhooks:AllowPrivateNetworks"] = "true" };
        await using var host = SiloProcess.Start(data.Path, settings);
        await host.WaitReadyAsync(TimeSpan.FromSeconds(90));

        var folder = Path.Combine(RepositoryRoot.Path, "docs", "walkthroughs");
        var firstHour = File.ReadAllText(Path.Combine(folder, "first-hour.md"));
        var deleteAt = firstHour.IndexOf(DeleteHeading, StringComparison.Ordinal);
        Assert.True(deleteAt > 0, "first-hour.md has no '" + DeleteHeading + "' section");
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var readmeAt = readme.IndexOf(ReadmeSection, StringComparison.Ordinal);
        Assert.True(readmeAt > 0, "README.md has no '" + ReadmeSection + "' section");
        var readmeBlocks = Blocks(readme[readmeAt..readme.IndexOf("\n## ", readmeAt + 3, StringComparison.Ordinal)]).ToList();
        Assert.NotEmpty(readmeBlocks);
        var script = new StringBuilder("set -eo pipefail\ncd '" + RepositoryRoot.Path + "'\n");
        foreach (var block in readmeBlocks.Concat(Blocks(firstHour[..deleteAt])).Concat(Continuations.SelectMany(f => Blocks(File.ReadAllText(Path.Combine(folder, f))))).Concat(Blocks(firstHour[deleteAt..])))
        {
            script.AppendLine(block);
        }

        var text = script.ToString();
        Assert.Contains(ApiLine, text);
        Assert.Contains(DataLine, text);
        text = text.Replace(ApiLine, $"API=http://127.0.0.1:{host.HttpPort}").Replace(DataLine, $"DATA='{data.Path}'").Replace(DefaultDataFolder, data.Path);

        var (exit, output) = await ExternalProcess.RunAsync("bash", [], TimeSpan.FromMinutes(4), input: text);
        Assert.True(exit == 0, $"the walkthrough stopped ({exit}):\n{output}\n--- host ---\n{host.Output}");
        // What each walkthrough shows when it works.
        Assert.Contains("\"name\": \"Hello Co\"", output);            // README: the first tenant, read with its owner's key
        Assert.Contains("\"status\":\"succeeded\"", output);      // first hour: the manual sync
        Assert.Contains("\n403\n", output);                         // first hour: a suspended tenant's API
        Assert.Contains("\"status\":\"published\"", output);       // posts: the publication landed
        Assert.Contains("Launch day", output);                       // posts: the emulator's own side shows it
        Assert.Contains("\"login\":\"instagram\"", output);       // Instagram Login: a channel without a Page
        Assert.Contains("{\"kind\":\"story\",\"items\":1}", output); // Instagram Login: its story landed
        Assert.Contains("verified webhook.test", output);           // webhooks: a signed delivery, checked by the receiver
        Assert.Contains("\"delivery\":\"sent\"", output);          // inbox: the reply went out
        Assert.Contains("\"status\":\"done\"", output);            // inbox: the conversation closed
        Assert.Contains("{\"keyId\":\"", output);                   // members: the operator's recovery key
        Assert.EndsWith("202", output.TrimEnd());                   // the tenant deleted, last
        Assert.DoesNotContain("\"status\":401", output);           // no step ran with a key it did not have
    }

    private static IEnumerable<string> Blocks(string markdown) =>
        ShellBlock().Matches(markdown).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"```sh\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
