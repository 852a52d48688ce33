using System.Text.Json;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Tests.Storage;

/// <summary>
/// The tenant store contract. Every engine runs these same tests: SQLite and PostgreSQL
/// always, MongoDB when <c>MONGODB_URI</c> is set (reported skipped otherwise).
/// </summary>
public abstract class DocumentStoreContract
{
    private static readonly IndexDefinition ByStatusAndCreated = new("status_created",
        [new IndexField("status", FieldKind.String), new IndexField("createdAt", FieldKind.String, Descending: true)]);

    /// <summary>An initialised store; engines that cannot run here skip the test from inside.</summary>
    protected abstract Task<IDocumentStore> StoreAsync();

    private static string NewName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    private async Task<(IDocumentStore Store, string Database, IDocumentCollection Items)> NewCollectionAsync()
    {
        var store = await StoreAsync();
        var name = NewName("tenant_t");
        await store.CreateDatabaseAsync(name, CancellationToken.None);
        return (store, name, store.GetDatabase(name).GetCollection("items"));
    }

    [SkippableFact]
    public async Task Catalog_is_usable_after_initialize_and_initialize_is_idempotent()
    {
        var store = await StoreAsync();
        await store.InitializeAsync(CancellationToken.None);
        var id = Guid.NewGuid().ToString("N");

        Assert.True(await store.Catalog.GetCollection("tenants").InsertAsync(id, Json(new { name = "x" }), CancellationToken.None));
        Assert.NotNull(await store.Catalog.GetCollection("tenants").GetAsync(id, CancellationToken.None));
        await store.PingAsync(CancellationToken.None);
    }

    [SkippableFact]
    public async Task A_collection_made_ahead_of_its_first_write_reads_empty_takes_writes_and_may_be_made_again()
    {
        var (_, _, items) = await NewCollectionAsync();

        await items.EnsureExistsAsync(CancellationToken.None);
        await items.EnsureExistsAsync(CancellationToken.None);

        Assert.Empty((await items.QueryAsync(new DocumentQuery { Limit = 10 }, CancellationToken.None)).Items);
        Assert.True(await items.InsertAsync("a", Json(new { status = "draft" }), CancellationToken.None));
        await items.EnsureExistsAsync(CancellationToken.None);
        Assert.NotNull(await items.GetAsync("a", CancellationToken.None));
    }

    [SkippableFact]
    public async Task Created_database_exists_and_a_second_create_is_refused()
    {
        var store = await StoreAsync();
        var name = NewName("tenant_c");
        Assert.False(await store.DatabaseExistsAsync(name, CancellationToken.None));

        await store.CreateDatabaseAsync(name, CancellationToken.None);

        Assert.True(await store.DatabaseExistsAsync(name, CancellationToken.None));
        await Assert.ThrowsAsync<DatabaseAlreadyExistsException>(() => store.CreateDatabaseAsync(name, CancellationToken.None));
    }

    [SkippableFact]
    public async Task A_database_made_with_first_documents_holds_them_in_their_collections()
    {
        var store = await StoreAsync();
        var name = NewName("tenant_f");

        await store.CreateDatabaseAsync(name, [
            new FirstDocument("settings", "settings", Json(new { timeZone = "UTC" })),
            new FirstDocument("settings", "calendar", Json(new { version = 2 })),
            new FirstDocument("first_items", "a", Json(new { v = 1, text = new string('x', 5000) })),
        ], CancellationToken.None);

        var database = store.GetDatabase(name);
        Assert.Equal("UTC", (await database.GetCollection("settings").GetAsync("settings", CancellationToken.None))!.Value.GetProperty("timeZone").GetString());
        Assert.Equal(2, (await database.GetCollection("settings").GetAsync("calendar", CancellationToken.None))!.Value.GetProperty("version").GetInt32());
        Assert.Equal(5000, (await database.GetCollection("first_items").GetAsync("a", CancellationToken.None))!.Value.GetProperty("text").GetString()!.Length);
        // The collections made with the database take writes and queries like any other.
        Assert.True(await database.GetCollection("first_items").InsertAsync("b", Json(new { v = 2 }), CancellationToken.None));
        Assert.Equal(2, await database.GetCollection("first_items").CountAsync([], CancellationToken.None));
        await Assert.ThrowsAsync<DatabaseAlreadyExistsException>(() => store.CreateDatabaseAsync(name, [new FirstDocument("settings", "x", Json(new { v = 1 }))], CancellationToken.None));
        Assert.Null(await database.GetCollection("settings").GetAsync("x", CancellationToken.None));
    }

    [SkippableFact]
    public async Task A_database_whose_first_documents_cannot_all_be_written_is_not_left_behind()
    {
        var store = await StoreAsync();
        var name = NewName("tenant_h");

        // The same id twice: the second insert fails after the first succeeded.
        await Assert.ThrowsAnyAsync<Exception>(() => store.CreateDatabaseAsync(name, [
            new FirstDocument("settings", "settings", Json(new { v = 1 })),
            new FirstDocument("items", "a", Json(new { v = 1 })),
            new FirstDocument("items", "a", Json(new { v = 2 })),
        ], CancellationToken.None));

        Assert.False(await store.DatabaseExistsAsync(name, CancellationToken.None));
        // The name is free again, and a database made under it holds only what it is made with.
        await store.CreateDatabaseAsync(name, [new FirstDocument("items", "b", Json(new { v = 3 }))], CancellationToken.None);
        Assert.Null(await store.GetDatabase(name).GetCollection("items").GetAsync("a", CancellationToken.None));
        Assert.Null(await store.GetDatabase(name).GetCollection("settings").GetAsync("settings", CancellationToken.None));
        Assert.NotNull(await store.GetDatabase(name).GetCollection("items").GetAsync("b", CancellationToken.None));
    }

    [SkippableFact]
    public async Task A_missing_database_is_refused_and_not_created()
    {
        var store = await StoreAsync();
        var name = NewName("tenant_m");
        var collection = store.GetDatabase(name).GetCollection("items");

        await Assert.ThrowsAsync<DatabaseNotFoundException>(() => collection.GetAsync("a", CancellationToken.None));
        await Assert.ThrowsAsync<DatabaseNotFoundException>(() => collection.UpsertAsync("a", Json(new { v = 1 }), CancellationToken.None));

        Assert.False(await store.DatabaseExistsAsync(name, CancellationToken.None));
    }

    [SkippableFact]
    public async Task Drop_removes_the_database_and_everything_in_it()
    {
        var (store, name, items) = await NewCollectionAsync();
        await items.UpsertAsync("a", Json(new { v = 1 }), CancellationToken.None);

        await store.DropDatabaseAsync(name, CancellationToken.None);

        Assert.False(await store.DatabaseExistsAsync(name, CancellationToken.None));
        await store.CreateDatabaseAsync(name, CancellationToken.None);
        Assert.Null(await store.GetDatabase(name).GetCollection("items").GetAsync("a", CancellationToken.None));
        await store.DropDatabaseAsync(name, CancellationToken.None);
        await store.DropDatabaseAsync(name, CancellationToken.None);
    }

    [SkippableFact]
    public async Task A_write_through_a_handle_taken_before_the_drop_is_refused_and_creates_nothing()
    {
        var (store, name, items) = await NewCollectionAsync();
        await items.UpsertAsync("a", Json(new { x = 1 }), CancellationToken.None);

        await store.DropDatabaseAsync(name, CancellationToken.None);

        await Assert.ThrowsAsync<DatabaseNotFoundException>(() => items.UpsertAsync("b", Json(new { x = 2 }), CancellationToken.None));
        Assert.False(await store.DatabaseExistsAsync(name, CancellationToken.None));
        await store.CreateDatabaseAsync(name, CancellationToken.None);
        Assert.Null(await store.GetDatabase(name).GetCollection("items").GetAsync("a", CancellationToken.None));
    }

    [SkippableFact]
    public async Task Get_of_a_missing_document_is_null()
    {
        var (_, _, items) = await NewCollectionAsync();
        Assert.Null(await items.GetAsync("nope", CancellationToken.None));
    }

    [SkippableFact]
    public async Task Insert_adds_only_when_the_id_is_free()
    {
        var (_, _, items) = await NewCollectionAsync();

        Assert.True(await items.InsertAsync("a", Json(new { v = 1 }), CancellationToken.None));
        Assert.False(await items.InsertAsync("a", Json(new { v = 2 }), CancellationToken.None));

        Assert.Equal(1, (await items.GetAsync("a", CancellationToken.None))!.Value.GetProperty("v").GetInt32());
    }

    [SkippableFact]
    public async Task Upsert_adds_then_replaces()
    {
        var (_, _, items) = await NewCollectionAsync();

        await items.UpsertAsync("a", Json(new { v = 1, old = true }), CancellationToken.None);
        await items.UpsertAsync("a", Json(new { v = 2 }), CancellationToken.None);

        var stored = (await items.GetAsync("a", CancellationToken.None))!.Value;
        Assert.Equal(2, stored.GetProperty("v").GetInt32());
        Assert.False(stored.TryGetProperty("old", out _));
    }

    [SkippableFact]
    public async Task Delete_reports_whether_a_document_was_deleted()
    {
        var (_, _, items) = await NewCollectionAsync();
        await items.UpsertAsync("a", Json(new { v = 1 }), CancellationToken.None);

        Assert.True(await items.DeleteAsync("a", CancellationToken.None));
        Assert.False(await items.DeleteAsync("a", CancellationToken.None));
        Assert.Null(await items.GetAsync("a", CancellationToken.None));
    }

    [SkippableFact]
    public async Task Text_round_trips_exactly_including_quotes_and_unicode()
    {
        var (_, _, items) = await NewCollectionAsync();
        const string tricky = "O'Brien \"quoted\" \\ back; DROP TABLE x; -- ☃ 日本 \u00e9";
        await items.UpsertAsync("id'with\"quotes", Json(new { text = tricky, n = 12.5, big = 9007199254740993L.ToString() }), CancellationToken.None);

        var stored = (await items.GetAsync("id'with\"quotes", CancellationToken.None))!.Value;
        Assert.Equal(tricky, stored.GetProperty("text").GetString());
        Assert.Equal(12.5, stored.GetProperty("n").GetDouble());
    }

    [SkippableTheory]
    [InlineData("""{"at":{"$date":"2026-01-01T00:00:00Z"}}""")]
    [InlineData("""{"at":{"$date":"nope"}}""")]
    [InlineData("""{"n":{"$numberLong":"5"}}""")]
    [InlineData("""{"$oid":"not-an-object-id","$regex":"x"}""")]
    [InlineData("""{"big":123456789012345678901234567890}""")]
    [InlineData("""{"negative":-9223372036854775809}""")]
    [InlineData("""{"d":12.3,"sum":0.30000000000000004,"tiny":5e-324,"huge":1.7976931348623157e308}""")]
    [InlineData("""{"i":2147483648,"j":-1,"k":0}""")]
    [InlineData("""{"nested":[{"a":[1,2.5,"x",null,true]},[],{}]}""")]
    public async Task Documents_round_trip_value_for_value_whatever_their_keys_and_numbers(string json)
    {
        var (_, _, items) = await NewCollectionAsync();
        using var sent = JsonDocument.Parse(json);

        await items.UpsertAsync("d", sent.RootElement, CancellationToken.None);
        var read = (await items.GetAsync("d", CancellationToken.None))!.Value;

        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(json), System.Text.Json.Nodes.JsonNode.Parse(read.GetRawText())),
            $"sent {json}, read {read.GetRawText()}");
    }

    [SkippableFact]
    public async Task Databases_and_collections_are_isolated()
    {
        var (store, database, items) = await NewCollectionAsync();
        var other = NewName("tenant_o");
        await store.CreateDatabaseAsync(other, CancellationToken.None);
        await items.UpsertAsync("a", Json(new { owner = "first" }), CancellationToken.None);

        Assert.Null(await store.GetDatabase(other).GetCollection("items").GetAsync("a", CancellationToken.None));
        Assert.Equal(0, await store.GetDatabase(other).GetCollection("items").CountAsync([], CancellationToken.None));
        var sibling = store.GetDatabase(database).GetCollection("other_items");
        Assert.Null(await sibling.GetAsync("a", CancellationToken.None));
    }

    [SkippableFact]
    public async Task Query_filters_by_equality_and_ranges_on_strings_and_numbers()
    {
        var (_, items) = await SeededAsync(30);

        var open = await items.QueryAsync(new DocumentQuery { Filters = [FieldFilter.Eq("status", "open")], Limit = 100 }, CancellationToken.None);
        Assert.Equal(15, open.Items.Count);
        Assert.All(open.Items, d => Assert.Equal("open", d.Body.GetProperty("status").GetString()));

        var window = await items.QueryAsync(new DocumentQuery
        {
            Filters = [FieldFilter.Gte("createdAt", Day(10)), FieldFilter.Lt("createdAt", Day(20))],
            Limit = 100,
        }, CancellationToken.None);
        Assert.Equal(10, window.Items.Count);

        var heavy = await items.QueryAsync(new DocumentQuery { Filters = [FieldFilter.Gte("weight", 25.0)], Limit = 100 }, CancellationToken.None);
        Assert.Equal(5, heavy.Items.Count);
        Assert.Equal(5, await items.CountAsync([FieldFilter.Gte("weight", 25.0)], CancellationToken.None));
    }

    [SkippableFact]
    public async Task Delete_many_removes_exactly_the_matching_documents()
    {
        var (_, items) = await SeededAsync(30);

        var deleted = await items.DeleteManyAsync([FieldFilter.Eq("status", "open"), FieldFilter.Gte("weight", 15.0)], CancellationToken.None);

        Assert.Equal(7, deleted);
        Assert.Equal(23, await items.CountAsync([], CancellationToken.None));
        Assert.Equal(0, await items.CountAsync([FieldFilter.Eq("status", "open"), FieldFilter.Gte("weight", 15.0)], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => items.DeleteManyAsync([], CancellationToken.None));
    }

    [SkippableFact]
    public async Task Query_sorts_descending_and_breaks_ties_by_id()
    {
        var (_, _, items) = await NewCollectionAsync();
        await items.EnsureIndexAsync(ByStatusAndCreated, CancellationToken.None);
        foreach (var id in new[] { "b", "a", "c" })
        {
            await items.UpsertAsync(id, Json(new { status = "s", createdAt = Day(1) }), CancellationToken.None);
        }

        await items.UpsertAsync("z", Json(new { status = "s", createdAt = Day(2) }), CancellationToken.None);

        var page = await items.QueryAsync(new DocumentQuery { Sort = new SortField("createdAt", FieldKind.String, Descending: true), Limit = 10 }, CancellationToken.None);

        Assert.Equal(["z", "c", "b", "a"], page.Items.Select(d => d.Id));
        Assert.Null(page.NextCursor);
    }

    [SkippableFact]
    public async Task Paging_returns_every_matching_document_exactly_once()
    {
        var (_, items) = await SeededAsync(53);
        var sort = new SortField("createdAt", FieldKind.String, Descending: true);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await items.QueryAsync(new DocumentQuery { Sort = sort, Limit = 10, Cursor = cursor }, CancellationToken.None);
            seen.AddRange(page.Items.Select(d => d.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(6, pages);
        Assert.Equal(53, seen.Count);
        Assert.Equal(53, seen.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 53).Reverse().Select(Id), seen);
    }

    [SkippableFact]
    public async Task Paging_by_id_without_a_sort_field_works()
    {
        var (_, items) = await SeededAsync(12);
        var first = await items.QueryAsync(new DocumentQuery { Limit = 5 }, CancellationToken.None);
        var second = await items.QueryAsync(new DocumentQuery { Limit = 5, Cursor = first.NextCursor }, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 5).Select(Id), first.Items.Select(d => d.Id));
        Assert.Equal(Enumerable.Range(5, 5).Select(Id), second.Items.Select(d => d.Id));
    }

    [SkippableFact]
    public async Task Inserts_ahead_of_the_cursor_do_not_shift_later_pages()
    {
        var (_, items) = await SeededAsync(20);
        var sort = new SortField("createdAt", FieldKind.String);
        var first = await items.QueryAsync(new DocumentQuery { Sort = sort, Limit = 10 }, CancellationToken.None);

        await items.UpsertAsync("early", Json(new { status = "open", createdAt = "2000-01-01T00:00:00.0000000Z", weight = 1.0 }), CancellationToken.None);
        var second = await items.QueryAsync(new DocumentQuery { Sort = sort, Limit = 10, Cursor = first.NextCursor }, CancellationToken.None);

        Assert.Equal(Enumerable.Range(10, 10).Select(Id), second.Items.Select(d => d.Id));
    }

    [SkippableFact]
    public async Task A_tampered_or_foreign_cursor_is_refused()
    {
        var (_, items) = await SeededAsync(3);
        var byDate = new SortField("createdAt", FieldKind.String);
        var page = await items.QueryAsync(new DocumentQuery { Sort = byDate, Limit = 1 }, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidCursorException>(() =>
            items.QueryAsync(new DocumentQuery { Sort = byDate, Limit = 1, Cursor = "not-a-cursor!" }, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidCursorException>(() =>
            items.QueryAsync(new DocumentQuery { Sort = new SortField("weight", FieldKind.Number), Limit = 1, Cursor = page.NextCursor }, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidCursorException>(() =>
            items.QueryAsync(new DocumentQuery { Limit = 1, Cursor = page.NextCursor }, CancellationToken.None));
    }

    [SkippableFact]
    public async Task Names_that_are_not_plain_identifiers_are_refused()
    {
        var store = await StoreAsync();
        Assert.Throws<ArgumentException>(() => store.GetDatabase("tenant_x; drop"));
        Assert.Throws<ArgumentException>(() => store.GetDatabase("../etc"));
        var (_, _, items) = await NewCollectionAsync();
        await Assert.ThrowsAsync<ArgumentException>(() =>
            items.QueryAsync(new DocumentQuery { Filters = [FieldFilter.Eq("a') OR 1=1 --", "x")] }, CancellationToken.None));
        Assert.Throws<ArgumentException>(() => store.Catalog.GetCollection("Items-1"));
    }

    [SkippableFact]
    public async Task Ensure_index_is_idempotent()
    {
        var (_, _, items) = await NewCollectionAsync();
        await items.EnsureIndexAsync(ByStatusAndCreated, CancellationToken.None);
        await items.EnsureIndexAsync(ByStatusAndCreated, CancellationToken.None);
        await items.EnsureIndexAsync(new IndexDefinition("weight", [new IndexField("weight", FieldKind.Number)]), CancellationToken.None);
    }

    private static string Id(int i) => $"item{i:D3}";

    private static string Day(int i) => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(i).UtcDateTime.ToString("O");

    private async Task<(IDocumentStore Store, IDocumentCollection Items)> SeededAsync(int count)
    {
        var (store, _, items) = await NewCollectionAsync();
        await items.EnsureIndexAsync(ByStatusAndCreated, CancellationToken.None);
        await items.EnsureIndexAsync(new IndexDefinition("weight", [new IndexField("weight", FieldKind.Number)]), CancellationToken.None);
        for (var i = 0; i < count; i++)
        {
            await items.UpsertAsync(Id(i), Json(new { status = i % 2 == 0 ? "open" : "closed", createdAt = Day(i), weight = (double)i }), CancellationToken.None);
        }

        return (store, items);
    }
}
