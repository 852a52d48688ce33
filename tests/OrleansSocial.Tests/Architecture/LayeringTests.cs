using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Architecture;

/// <summary>The HTTP front speaks to grains through their interfaces and reads through the read models, never through grain internals.</summary>
public sealed class LayeringTests
{
    [Fact]
    public void The_http_front_does_not_reference_the_grains()
    {
        var front = typeof(OrleansSocial.Api.Apis.Paging).Assembly;

        Assert.DoesNotContain(front.GetReferencedAssemblies(), a => a.Name == "OrleansSocial.Grains");
        var project = File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, "src", "OrleansSocial.Api", "OrleansSocial.Api.csproj"));
        Assert.DoesNotContain("OrleansSocial.Grains", project, StringComparison.Ordinal);
    }

    [Fact]
    public void The_http_front_does_not_call_graph_itself()
    {
        // Connecting a channel goes through a grain and the app's rate budget like every other Graph call.
        var front = typeof(OrleansSocial.Api.Apis.Paging).Assembly;

        Assert.DoesNotContain(front.GetReferencedAssemblies(), a => a.Name == "OrleansSocial.Graph");
        var project = File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, "src", "OrleansSocial.Api", "OrleansSocial.Api.csproj"));
        Assert.DoesNotContain("OrleansSocial.Graph", project, StringComparison.Ordinal);
    }

    [Fact]
    public void The_http_front_reads_through_the_read_models_never_the_store()
    {
        // Every read runs a named query of ReadModels through TenantReads; the front holds no database handle.
        var front = typeof(OrleansSocial.Api.Apis.Paging).Assembly;

        Assert.DoesNotContain(front.GetReferencedAssemblies(), a => a.Name!.StartsWith("OrleansSocial.Storage", StringComparison.Ordinal));
    }

    [Fact]
    public void The_start_up_recovery_services_live_in_the_host()
    {
        var front = typeof(OrleansSocial.Api.Apis.Paging).Assembly;

        Assert.DoesNotContain(front.GetTypes(), t => t.Name.Contains("Recovery", StringComparison.Ordinal));
    }

    [Fact]
    public void The_read_models_depend_only_on_the_contracts_and_the_store()
    {
        var references = typeof(OrleansSocial.ReadModels.Collections).Assembly.GetReferencedAssemblies().Select(a => a.Name).Where(n => n!.StartsWith("OrleansSocial", StringComparison.Ordinal));

        Assert.All(references, name => Assert.Contains(name, new[] { "OrleansSocial.Abstractions", "OrleansSocial.Storage" }));
    }
}
