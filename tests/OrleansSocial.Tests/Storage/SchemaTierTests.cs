using System.Text.Json;
using Npgsql;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Storage.Postgres;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Storage;

/// <summary>The store contract on PostgreSQL's schema tier: each "database" a schema of a shared database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaStoreContract(PostgresServer server) : DocumentStoreContract, IAsyncLifetime
{
    // One shared database for every test of the class (made once); each instance its own catalog schema.
    private static readonly string Prefix = "shared_contract_" + Guid.NewGuid().ToString("N")[..8];

    private PostgresSchemaStore? _store;

    protected override async Task<IDocumentStore> StoreAsync()
    {
        if (_store is null)
        {
            _store = new PostgresSchemaStore(new PostgresSchemaStoreOptions
            {
                ConnectionString = server.ConnectionString,
                SharedDatabasePrefix = Prefix,
                CatalogSchema = "catalog_" + Guid.NewGuid().ToString("N")[..12],
            });
            await _store.InitializeAsync(CancellationToken.None);
        }

        return _store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}

/// <summary>
/// What the schema tier promises beyond the contract: tenants isolated from each other whatever id
/// they were given, their tables made with the schema in one transaction, and one pool per shared
/// database however many tenants it holds.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SchemaTierTests(PostgresServer server)
{
    private static readonly string[] Collections = ["posts", "members", "audit"];

    private static readonly IndexDefinition ByEmail = new("email", [new IndexField("email", FieldKind.String)]);
    private static readonly IndexDefinition ByChannel = new("channel", [new IndexField("channel", FieldKind.String)]);
    private static readonly IndexDefinition ByTime = new("time", [new IndexField("at", FieldKind.String)]);

    private PostgresSchemaStore NewStore(int sharedDatabases = 1, int poolSize = 4, string? prefix = null, string[]? collections = null,
        IReadOnlyList<(string, IndexDefinition)>? indexes = null) => new(new PostgresSchemaStoreOptions
    {
        ConnectionString = server.ConnectionString,
        SharedDatabasePrefix = prefix ?? "shared_tier_" + Guid.NewGuid().ToString("N")[..8],
        SharedDatabases = sharedDatabases,
        MaxPoolSizePerSharedDatabase = poolSize,
        Collections = collections ?? Collections,
        Indexes = indexes ?? [],
    });

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    /// <summary>
    /// Ids the tenant-id pattern allows that come closest to another tenant's or the server's names:
    /// prefixes and extensions of the victim's id, the same letters with '-' moved, digits-only ids,
    /// the longest ids, and ids spelling schemas PostgreSQL or the store uses itself.
    /// </summary>
    private static IEnumerable<string> HostileIds(string victim) =>
    [
        victim[..^1], victim + "-x", victim + "0", "x-" + victim, victim.Replace("-", ""), victim.Replace("-", "--"),
        string.Concat(victim.Split('-').Reverse()), "000", "999-999", new string('a', 40), new string('9', 40), "a" + new string('-', 38) + "b",
        "public", "pg-catalog", "pg-toast", "information-schema", "tenant", "tenant-" + victim, "orleans-social-catalog", "catalog",
    ];

    [Fact]
    public async Task No_id_the_pattern_allows_reads_or_writes_another_tenants_schema()
    {
        await using var store = NewStore(sharedDatabases: 2);
        var victimId = "victim-" + Guid.NewGuid().ToString("N")[..6];
        var victim = StorageNames.TenantDatabase(victimId);
        await store.CreateDatabaseAsync(victim, CancellationToken.None);
        foreach (var collection in Collections)
        {
            await store.GetDatabase(victim).GetCollection(collection).UpsertAsync("secret", Json(new { owner = victimId, status = "open" }), CancellationToken.None);
        }

        var before = await DigestAsync(store, victim);
        foreach (var hostileId in HostileIds(victimId).Where(id => StorageNames.TenantIdPattern().IsMatch(id)).Distinct())
        {
            var hostile = StorageNames.TenantDatabase(hostileId);
            Assert.NotEqual(victim, hostile);
            await store.DropDatabaseAsync(hostile, CancellationToken.None);
            await store.CreateDatabaseAsync(hostile, CancellationToken.None);
            foreach (var collection in Collections)
            {
                var items = store.GetDatabase(hostile).GetCollection(collection);
                Assert.Null(await items.GetAsync("secret", CancellationToken.None));
                Assert.Empty((await items.QueryAsync(new DocumentQuery { Limit = 100 }, CancellationToken.None)).Items);
                Assert.Equal(0, await items.CountAsync([], CancellationToken.None));
                await items.UpsertAsync("secret", Json(new { owner = hostileId, status = "open" }), CancellationToken.None);
                Assert.Equal(1, await items.DeleteManyAsync([FieldFilter.Eq("status", "open")], CancellationToken.None));
                Assert.False(await items.DeleteAsync("secret", CancellationToken.None));
            }

            await store.DropDatabaseAsync(hostile, CancellationToken.None);
        }

        Assert.Equal(before, await DigestAsync(store, victim));
        foreach (var collection in Collections)
        {
            var secret = await store.GetDatabase(victim).GetCollection(collection).GetAsync("secret", CancellationToken.None);
            Assert.Equal(victimId, secret!.Value.GetProperty("owner").GetString());
        }
    }

    [Fact]
    public async Task Statements_name_their_schema_and_leave_every_pooled_connection_on_the_default_search_path()
    {
        await using var store = NewStore(poolSize: 2);
        var a = StorageNames.TenantDatabase("path-a-" + Guid.NewGuid().ToString("N")[..6]);
        var b = StorageNames.TenantDatabase("path-b-" + Guid.NewGuid().ToString("N")[..6]);
        await store.CreateDatabaseAsync(a, CancellationToken.None);
        await store.CreateDatabaseAsync(b, CancellationToken.None);
        for (var i = 0; i < 20; i++)
        {
            await store.GetDatabase(i % 2 == 0 ? a : b).GetCollection("posts").UpsertAsync($"p{i}", Json(new { i }), CancellationToken.None);
        }

        // Both tenants' tables carry the same names: only the schema tells them apart.
        Assert.Equal(10, await store.GetDatabase(a).GetCollection("posts").CountAsync([], CancellationToken.None));
        Assert.Equal(10, await store.GetDatabase(b).GetCollection("posts").CountAsync([], CancellationToken.None));
        await using var connection = new NpgsqlConnection(server.ConnectionStringFor(store.SharedDatabaseOf(a)));
        await connection.OpenAsync();
        await using var sessions = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
        Assert.InRange(Convert.ToInt64(await sessions.ExecuteScalarAsync()), 1, 2);
        // A table of the tenant is not reachable unqualified: nothing put the tenant's schema on any search path.
        await using var unqualified = new NpgsqlCommand("SELECT count(*) FROM doc_posts", connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => unqualified.ExecuteScalarAsync());
        Assert.Equal("42P01", refused.SqlState);
    }

    [Fact]
    public async Task A_tenant_schema_and_its_tables_are_made_in_one_transaction_and_dropped_whole()
    {
        await using var store = NewStore();
        var name = StorageNames.TenantDatabase("whole-" + Guid.NewGuid().ToString("N")[..6]);

        await store.CreateDatabaseAsync(name, CancellationToken.None);

        Assert.Equal(Collections.Select(c => "doc_" + c).Order(StringComparer.Ordinal), await TablesAsync(store, name));
        await store.DropDatabaseAsync(name, CancellationToken.None);
        Assert.False(await store.DatabaseExistsAsync(name, CancellationToken.None));
        Assert.Empty(await TablesAsync(store, name));
    }

    [Fact]
    public async Task A_table_is_made_on_first_use_with_its_indexes_and_asking_for_them_first_makes_nothing()
    {
        var prefix = "shared_lazy_" + Guid.NewGuid().ToString("N")[..8];
        (string, IndexDefinition)[] layout = [("members", ByEmail), ("posts", ByChannel), ("posts", ByTime)];
        await using var store = NewStore(prefix: prefix, collections: ["members"], indexes: layout);
        var name = StorageNames.TenantDatabase("lazy-" + Guid.NewGuid().ToString("N")[..6]);

        await store.CreateDatabaseAsync(name, CancellationToken.None);
        var posts = store.GetDatabase(name).GetCollection("posts");
        await posts.EnsureIndexAsync(ByChannel, CancellationToken.None);
        await posts.EnsureIndexAsync(ByTime, CancellationToken.None);

        Assert.Equal(["doc_members"], await TablesAsync(store, name));
        Assert.Equal(["doc_members:ix_doc_members_email", "doc_members:doc_members_pkey"], await IndexesAsync(store, name));

        await posts.UpsertAsync("p1", Json(new { channel = "c1", at = "2026-12-06" }), CancellationToken.None);

        Assert.Equal(["doc_members", "doc_posts"], await TablesAsync(store, name));
        Assert.Contains("doc_posts:ix_doc_posts_channel", await IndexesAsync(store, name));
        Assert.Contains("doc_posts:ix_doc_posts_time", await IndexesAsync(store, name));

        // Another process that did not make the schema asks as before: an index it is told of is made, its table with it.
        await using var other = NewStore(prefix: prefix, collections: ["members"], indexes: layout);
        await other.GetDatabase(name).GetCollection("comments").EnsureIndexAsync(ByTime, CancellationToken.None);
        Assert.Contains("doc_comments:ix_doc_comments_time", await IndexesAsync(other, name));
        await other.GetDatabase(name).GetCollection("posts").EnsureIndexAsync(ByEmail, CancellationToken.None);
        Assert.Contains("doc_posts:ix_doc_posts_email", await IndexesAsync(other, name));
    }

    [Fact]
    public async Task A_table_asked_for_ahead_of_its_first_write_is_made_with_its_indexes_and_asking_again_changes_nothing()
    {
        var prefix = "shared_ahead_" + Guid.NewGuid().ToString("N")[..8];
        (string, IndexDefinition)[] layout = [("posts", ByChannel)];
        await using var store = NewStore(prefix: prefix, collections: ["members"], indexes: layout);
        var name = StorageNames.TenantDatabase("ahead-" + Guid.NewGuid().ToString("N")[..6]);
        await store.CreateDatabaseAsync(name, CancellationToken.None);
        var posts = store.GetDatabase(name).GetCollection("posts");
        Assert.Null(await posts.GetAsync("p1", CancellationToken.None));
        Assert.Equal(["doc_members"], await TablesAsync(store, name));

        await posts.EnsureExistsAsync(CancellationToken.None);

        Assert.Equal(["doc_members", "doc_posts"], await TablesAsync(store, name));
        Assert.Contains("doc_posts:ix_doc_posts_channel", await IndexesAsync(store, name));
        Assert.Empty((await posts.QueryAsync(new DocumentQuery { Limit = 10 }, CancellationToken.None)).Items);

        // Another process asks too (it did not make the table): nothing fails, nothing is added.
        await using var other = NewStore(prefix: prefix, collections: ["members"], indexes: layout);
        await other.GetDatabase(name).GetCollection("posts").EnsureExistsAsync(CancellationToken.None);
        Assert.Equal(["doc_members", "doc_posts"], await TablesAsync(store, name));

        // Asked of a schema dropped since, it fails as a missing database, not with the engine's error.
        await other.DropDatabaseAsync(name, CancellationToken.None);
        await Assert.ThrowsAsync<DatabaseNotFoundException>(() => store.GetDatabase(name).GetCollection("comments").EnsureExistsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Reading_a_collection_never_written_makes_nothing_and_a_dropped_schema_still_reads_as_a_missing_database()
    {
        var prefix = "shared_read_" + Guid.NewGuid().ToString("N")[..8];
        await using var store = NewStore(prefix: prefix, collections: ["members"]);
        var name = StorageNames.TenantDatabase("read-" + Guid.NewGuid().ToString("N")[..6]);
        await store.CreateDatabaseAsync(name, CancellationToken.None);
        var posts = store.GetDatabase(name).GetCollection("posts");

        Assert.Null(await posts.GetAsync("p1", CancellationToken.None));
        Assert.Empty((await posts.QueryAsync(new DocumentQuery { Filters = [FieldFilter.Eq("channel", "c1")], Limit = 10 }, CancellationToken.None)).Items);
        Assert.Equal(0, await posts.CountAsync([], CancellationToken.None));
        Assert.False(await posts.DeleteAsync("p1", CancellationToken.None));
        Assert.Equal(0, await posts.DeleteManyAsync([FieldFilter.Eq("channel", "c1")], CancellationToken.None));
        Assert.Equal(["doc_members"], await TablesAsync(store, name));

        // Written once, it is there to read.
        await posts.UpsertAsync("p1", Json(new { channel = "c1" }), CancellationToken.None);
        Assert.NotNull(await posts.GetAsync("p1", CancellationToken.None));

        // Gone with its schema (dropped by another process, say): reads of a written and of a never-written collection fail alike.
        await using var other = NewStore(prefix: prefix, collections: ["members"]);
        await other.DropDatabaseAsync(name, CancellationToken.None);
        await Assert.ThrowsAsync<DatabaseNotFoundException>(() => posts.GetAsync("p1", CancellationToken.None));
        await Assert.ThrowsAsync<DatabaseNotFoundException>(() => store.GetDatabase(name).GetCollection("comments").CountAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task One_pool_per_shared_database_serves_every_tenant_in_it()
    {
        await using var store = NewStore(sharedDatabases: 2, poolSize: 3);
        var names = Enumerable.Range(0, 40).Select(i => StorageNames.TenantDatabase($"pool-{i}-{Guid.NewGuid():N}"[..20])).ToList();
        foreach (var name in names)
        {
            await store.CreateDatabaseAsync(name, CancellationToken.None);
        }

        await Task.WhenAll(names.Select(name => store.GetDatabase(name).GetCollection("posts").UpsertAsync("p", Json(new { name }), CancellationToken.None)));

        Assert.Equal(2, store.OpenPools);
        Assert.Equal(2, names.Select(store.SharedDatabaseOf).Distinct().Count());
        foreach (var shared in store.SharedDatabases)
        {
            Assert.InRange(await SessionsOnAsync(shared), 0, 3);
        }
    }

    private async Task<long> SessionsOnAsync(string database)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @d", connection);
        command.Parameters.AddWithValue("d", database);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private async Task<List<string>> TablesAsync(PostgresSchemaStore store, string schema)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionStringFor(store.SharedDatabaseOf(schema)));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = @s ORDER BY tablename COLLATE \"C\"", connection);
        command.Parameters.AddWithValue("s", schema);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private async Task<List<string>> IndexesAsync(PostgresSchemaStore store, string schema)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionStringFor(store.SharedDatabaseOf(schema)));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT tablename || ':' || indexname FROM pg_indexes WHERE schemaname = @s ORDER BY tablename COLLATE \"C\", indexname COLLATE \"C\" DESC", connection);
        command.Parameters.AddWithValue("s", schema);
        await using var reader = await command.ExecuteReaderAsync();
        var indexes = new List<string>();
        while (await reader.ReadAsync())
        {
            indexes.Add(reader.GetString(0));
        }

        return indexes;
    }

    private static async Task<string> DigestAsync(IDocumentStore store, string database)
    {
        var parts = new List<string>();
        foreach (var collection in Collections)
        {
            var page = await store.GetDatabase(database).GetCollection(collection).QueryAsync(new DocumentQuery { Limit = 100 }, CancellationToken.None);
            parts.AddRange(page.Items.Select(d => $"{collection}/{d.Id}={d.Body.GetRawText()}"));
        }

        return string.Join('\n', parts);
    }
}
