using OrleansSocial.Testing;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>Two throwaway PostgreSQL servers, started side by side: tenants placed across servers and moved between them.</summary>
public sealed class TwoPostgresServers : IAsyncLifetime
{
    public PostgresServer First { get; } = new();

    public PostgresServer Second { get; } = new();

    public Task InitializeAsync() => Task.WhenAll(First.InitializeAsync(), Second.InitializeAsync());

    public Task DisposeAsync() => Task.WhenAll(First.DisposeAsync(), Second.DisposeAsync());
}

[CollectionDefinition(Name)]
public sealed class TwoPostgresCollection : ICollectionFixture<TwoPostgresServers>
{
    public const string Name = "two-postgres";
}
