using System.Diagnostics;
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
    public async Task The_images_publish_step_succeeds()
    {
        using var output = new TempFolder("publish");
        var start = new ProcessStartInfo("dotnet", ["publish", "src/OrleansSocial.Host/OrleansSocial.Host.csproj", "-c", "Release", "-o", output.Path, "--nologo"])
        {
            WorkingDirectory = Repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, await stdout + await stderr);
        Assert.True(File.Exists(Path.Combine(output.Path, "OrleansSocial.Host.dll")));
    }
}
