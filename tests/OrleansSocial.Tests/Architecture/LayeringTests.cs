using System.Reflection;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Architecture;

/// <summary>
/// The HTTP front speaks to grains through their interfaces and reads through the read models'
/// TenantReads: never through grain internals, the store, or the Graph client.
/// </summary>
public sealed class LayeringTests
{
    private static Assembly Front => typeof(OrleansSocial.Api.Apis.Paging).Assembly;

    private static string FrontProject => File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, "src", "OrleansSocial.Api", "OrleansSocial.Api.csproj"));

    [Theory]
    [InlineData("OrleansSocial.Grains")]
    // Connecting a channel goes through a grain and the app's rate budget like every other Graph call.
    [InlineData("OrleansSocial.Graph")]
    public void The_http_front_references_neither_in_its_assembly_nor_in_its_project(string layer)
    {
        Assert.DoesNotContain(Front.GetReferencedAssemblies(), a => a.Name == layer);
        Assert.DoesNotContain(layer, FrontProject, StringComparison.Ordinal);
    }

    [Fact]
    public void The_http_front_reads_through_the_read_models_never_the_store()
    {
        // Every read runs a named query of ReadModels through TenantReads; the front holds no database handle.
        Assert.DoesNotContain(Front.GetReferencedAssemblies(), a => a.Name!.StartsWith("OrleansSocial.Storage", StringComparison.Ordinal));
    }

    [Fact]
    public void The_start_up_recovery_services_live_in_the_host() =>
        Assert.DoesNotContain(Front.GetTypes(), t => t.Name.Contains("Recovery", StringComparison.Ordinal));

    [Fact]
    public void The_read_models_depend_only_on_the_contracts_and_the_store()
    {
        var references = typeof(OrleansSocial.ReadModels.Collections).Assembly.GetReferencedAssemblies().Select(a => a.Name).Where(n => n!.StartsWith("OrleansSocial", StringComparison.Ordinal));

        Assert.All(references, name => Assert.Contains(name, new[] { "OrleansSocial.Abstractions", "OrleansSocial.Storage" }));
    }
}
