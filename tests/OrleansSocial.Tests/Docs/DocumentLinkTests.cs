using System.Text.RegularExpressions;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Docs;

/// <summary>
/// The README and every page under docs/: each relative link names a file of the repository (and a
/// heading of it, when it has an anchor); the README's first screen carries the run and test commands.
/// </summary>
public sealed partial class DocumentLinkTests
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string> { "README.md" };
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            pages.Add(Path.GetRelativePath(RepositoryRoot.Path, file).Replace('\\', '/'));
        }

        pages.Add("deploy/README.md");
        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_resolves(string page)
    {
        var path = Path.Combine(RepositoryRoot.Path, page);
        var broken = new List<string>();
        foreach (Match link in MarkdownLink().Matches(WithoutCode(File.ReadAllText(path))))
        {
            var target = link.Groups[1].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            var (file, anchor) = target.IndexOf('#') is var hash and >= 0 ? (target[..hash], target[(hash + 1)..]) : (target, null);
            var resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target}: no such file");
            }
            else if (anchor is not null && File.Exists(resolved) && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                broken.Add($"{target}: no heading makes #{anchor}");
            }
        }

        Assert.True(broken.Count == 0, $"{page}: " + string.Join("; ", broken));
    }

    [Fact]
    public void The_readme_first_screen_has_the_run_and_test_commands()
    {
        var firstScreen = string.Join('\n', File.ReadLines(Path.Combine(RepositoryRoot.Path, "README.md")).Take(60));
        Assert.Contains("dotnet run --project src/OrleansSocial.Host", firstScreen);
        Assert.Contains("dotnet test", firstScreen);
        Assert.InRange(File.ReadLines(Path.Combine(RepositoryRoot.Path, "README.md")).Count(), 80, 200);
    }

    /// <summary>GitHub's anchors: headings lower-cased, punctuation dropped, spaces as hyphens.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        [.. WithoutCode(markdown).Split('\n').Where(l => l.StartsWith('#')).Select(l => Regex.Replace(l.TrimStart('#').Trim().ToLowerInvariant(), @"[^\p{L}\p{N} _-]", "").Replace(' ', '-'))];

    private static string WithoutCode(string markdown) => Regex.Replace(markdown, "```.*?```", "", RegexOptions.Singleline);

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
