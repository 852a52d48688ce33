using OrleansSocial.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace OrleansSocial.Tests.Deployment;

/// <summary>
/// What can be checked of deploy/ without a container engine: every YAML file parses and holds
/// what the silos need, and the image's publish step works.
/// </summary>
public sealed class DeploymentFilesTests
{
    private static string Repository => RepositoryRoot.Path;

    private static List<YamlDocument> Parse(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Repository, relativePath));
        stream.Load(reader);
        return [.. stream.Documents];
    }

    [Fact]
    public void Every_yaml_file_in_deploy_parses()
    {
        var files = Directory.GetFiles(Path.Combine(Repository, "deploy"), "*.yaml", SearchOption.AllDirectories);

        Assert.True(files.Length >= 4, string.Join(", ", files));
        Assert.All(files, file => Assert.NotEmpty(Parse(Path.GetRelativePath(Repository, file))));
    }

    [Fact]
    public void The_compose_file_runs_three_silos_on_postgres_and_mongo_behind_one_port()
    {
        var root = (YamlMappingNode)Parse("deploy/compose.yaml")[0].RootNode;
        var services = (YamlMappingNode)root["services"];
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();

        Assert.Contains("postgres", names);
        Assert.Contains("mongo", names);
        Assert.Equal(3, names.Count(n => n!.StartsWith("silo", StringComparison.Ordinal)));
        var gateway = (YamlMappingNode)services["gateway"];
        Assert.Single(((YamlSequenceNode)gateway["ports"]).Children);
        // Every silo merges the shared definition (<<: *silo); the parser keeps merge keys as written.
        Assert.All(names.Where(n => n!.StartsWith("silo", StringComparison.Ordinal)), n => Assert.True(((YamlMappingNode)services[n!]).Children.ContainsKey("<<")));
        var environment = (YamlMappingNode)((YamlMappingNode)root["x-silo"])["environment"];
        Assert.Equal("postgres", ((YamlScalarNode)environment["Orleans__Mode"]).Value);
        Assert.Equal("mongo", ((YamlScalarNode)environment["Storage__Engine"]).Value);
    }

    [Fact]
    public void The_kubernetes_silos_have_probes_and_kubernetes_hosting()
    {
        var deployment = Parse("deploy/k8s/silo.yaml").Select(d => (YamlMappingNode)d.RootNode)
            .Single(d => ((YamlScalarNode)d["kind"]).Value == "Deployment");
        var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"])["spec"])["containers"]).Children[0];

        Assert.Equal("/health/ready", ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)container["readinessProbe"])["httpGet"])["path"]).Value);
        Assert.Equal("/health/live", ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)container["livenessProbe"])["httpGet"])["path"]).Value);
        var env = ((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>().ToDictionary(e => ((YamlScalarNode)e["name"]).Value!);
        Assert.Equal("true", ((YamlScalarNode)env["Orleans__Kubernetes"]["value"]).Value);
        Assert.Contains("POD_IP", env.Keys);
    }

    [Fact]
    public void Every_variable_compose_needs_is_exported_by_the_readme_block()
    {
        var compose = File.ReadAllText(Path.Combine(Repository, "deploy", "compose.yaml"));
        var needed = System.Text.RegularExpressions.Regex.Matches(compose, @"\$\{([A-Z_][A-Z0-9_]*)").Select(m => m.Groups[1].Value).ToHashSet();
        var readme = File.ReadAllText(Path.Combine(Repository, "deploy", "README.md"));
        var exported = System.Text.RegularExpressions.Regex.Matches(readme, @"(?:export\s+|\s)([A-Z_][A-Z0-9_]*)=").Select(m => m.Groups[1].Value).ToHashSet();

        Assert.NotEmpty(needed);
        Assert.Empty(needed.Except(exported));
    }

    /// <summary>
    /// Every setting the files give the host (environment variables with <c>__</c>, as ASP.NET Core reads
    /// them) is one the code reads: a property of an options class bound to its section, or a key the
    /// source names. A misspelt key would otherwise be ignored without a word.
    /// </summary>
    [Fact]
    public void Every_configuration_key_the_files_set_is_one_the_code_reads()
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var compose = (YamlMappingNode)Parse("deploy/compose.yaml")[0].RootNode;
        foreach (var key in ((YamlMappingNode)((YamlMappingNode)compose["x-silo"])["environment"]).Children.Keys.Cast<YamlScalarNode>())
        {
            set.Add(key.Value!);
        }

        foreach (var document in Parse("deploy/k8s/silo.yaml").Select(d => (YamlMappingNode)d.RootNode).Where(d => ((YamlScalarNode)d["kind"]).Value == "Deployment"))
        {
            var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)document["spec"])["template"])["spec"])["containers"]).Children[0];
            foreach (var env in ((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>())
            {
                set.Add(((YamlScalarNode)env["name"]).Value!);
            }
        }

        foreach (System.Text.RegularExpressions.Match env in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(Repository, "deploy", "Dockerfile")), @"\b([A-Za-z]+__[A-Za-z_]+)="))
        {
            set.Add(env.Groups[1].Value);
        }

        var keys = set.Where(k => k.Contains("__", StringComparison.Ordinal)).Select(k => k.Replace("__", ":", StringComparison.Ordinal)).ToList();
        var read = KeysTheCodeReads();
        Assert.True(keys.Count >= 10, string.Join(", ", keys));
        Assert.All(keys, key => Assert.True(read.Contains(key), $"{key} is set by deploy/ but read by no code"));
    }

    [Fact]
    public void One_image_tag_and_health_checks_that_ask_the_app()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Repository, "deploy", "Dockerfile"));
        var compose = File.ReadAllText(Path.Combine(Repository, "deploy", "compose.yaml"));
        var kubernetes = File.ReadAllText(Path.Combine(Repository, "deploy", "k8s", "silo.yaml"));
        var tags = System.Text.RegularExpressions.Regex.Matches(dockerfile + compose + kubernetes, @"orleans-social:[0-9a-z.]+").Select(m => m.Value).Distinct().ToList();

        Assert.Single(tags);
        Assert.Contains("/health/live", dockerfile[dockerfile.IndexOf("HEALTHCHECK", StringComparison.Ordinal)..]);
        Assert.DoesNotContain("dotnet\", \"--version", dockerfile);
        // No bash-only constructs under CMD-SHELL: /bin/sh is dash on Debian-based images.
        Assert.DoesNotContain("/dev/tcp", compose);
    }

    private static HashSet<string> KeysTheCodeReads()
    {
        var read = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository, "src"), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var source = File.ReadAllText(file);
            // Keys named in full ("Storage:Mongo", "OpenTelemetry:OtlpEndpoint").
            foreach (System.Text.RegularExpressions.Match literal in System.Text.RegularExpressions.Regex.Matches(source, @"""([A-Z][A-Za-z]+(?::[A-Z][A-Za-z]+)+)"""))
            {
                read.Add(literal.Groups[1].Value);
            }

            // Options classes: a Section constant and settable properties.
            if (System.Text.RegularExpressions.Regex.Match(source, @"const string Section = ""([A-Za-z:]+)"";") is { Success: true } section)
            {
                foreach (System.Text.RegularExpressions.Match property in System.Text.RegularExpressions.Regex.Matches(source, @"public [\w<>?,\[\] ]+ (\w+) \{ get; set; \}"))
                {
                    read.Add(section.Groups[1].Value + ":" + property.Groups[1].Value);
                }
            }
        }

        return read;
    }

    /// <summary>
    /// The image's two publish steps, on the build the tests run on (<c>--no-build</c>: compiling
    /// everything again in Release took two minutes of the suite's two cores and checked the compiler,
    /// not the publish), and the published host starts from its folder the way the image's entry point runs it.
    /// </summary>
    [Fact]
    public async Task The_images_publish_steps_succeed_and_the_published_host_starts()
    {
        using var output = new TempFolder("publish");
        foreach (var (project, folder) in new[] { ("src/OrleansSocial.Host/OrleansSocial.Host.csproj", "api"), ("src/OrleansSocial.GraphEmulator/OrleansSocial.GraphEmulator.csproj", "emulator") })
        {
            var (exit, log) = await ExternalProcess.RunAsync("dotnet", ["publish", project, "-c", BuildConfiguration, "--no-build", "-o", Path.Combine(output.Path, folder), "--nologo"],
                TimeSpan.FromMinutes(5), workingDirectory: Repository);
            Assert.True(exit == 0, log);
        }

        Assert.True(File.Exists(Path.Combine(output.Path, "emulator", "OrleansSocial.GraphEmulator.dll")));
        var host = Path.Combine(output.Path, "api", "OrleansSocial.Host.dll");
        await using var silo = SiloProcess.Start(Path.Combine(output.Path, "run"), new Dictionary<string, string> { ["Data:Path"] = Path.Combine(output.Path, "data") }, hostAssembly: host);
        await silo.WaitReadyAsync(TimeSpan.FromSeconds(90));
        Assert.True((await silo.Http!.GetAsync("/health/live")).IsSuccessStatusCode, silo.Output);
    }

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif
}
