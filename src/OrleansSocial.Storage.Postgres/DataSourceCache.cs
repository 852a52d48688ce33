using Npgsql;

namespace OrleansSocial.Storage.Postgres;

/// <summary>
/// One <see cref="NpgsqlDataSource"/> (one pool) per database, at most <c>capacity</c> of them:
/// 10,000 tenants must not mean 10,000 pools. The least recently used is disposed, which
/// closes its idle connections; connections in use finish their work and close on return.
/// </summary>
/// <param name="prepared">The database whose statements are prepared automatically (the catalog): its few statements run
/// for every tenant (a due post's board row, a tenant's entry), so planning each once per connection saves the
/// server real work; a tenant's statements name its own tables and are seldom run often enough on one connection.</param>
internal sealed class DataSourceCache(NpgsqlConnectionStringBuilder server, int capacity, int poolSize, string? prepared = null) : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Name, NpgsqlDataSource Source)>> _byName = new();
    private readonly LinkedList<(string Name, NpgsqlDataSource Source)> _recency = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byName.Count;
            }
        }
    }

    public NpgsqlDataSource Get(string database)
    {
        NpgsqlDataSource? evicted = null;
        NpgsqlDataSource source;
        lock (_gate)
        {
            if (_byName.TryGetValue(database, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                return node.Value.Source;
            }

            var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString)
            {
                Database = database,
                MaxPoolSize = poolSize,
                ConnectionIdleLifetime = 60,
                // No statement of the store leaves session state behind (no SET, temporary table or session lock,
                // no prepared statement but Npgsql's own): a pooled connection needs no DISCARD ALL before its next use.
                NoResetOnClose = true,
            };
            if (database == prepared)
            {
                // Prepared statements are Npgsql's to keep per connection; they outlive a return to the pool by design.
                builder.MaxAutoPrepare = 32;
            }

            source = NpgsqlDataSource.Create(builder);
            _byName[database] = _recency.AddFirst((database, source));
            if (_byName.Count > capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _byName.Remove(last.Value.Name);
                evicted = last.Value.Source;
            }
        }

        if (evicted is not null)
        {
            _ = evicted.DisposeAsync().AsTask();
        }

        return source;
    }

    /// <summary>Closes the pool of a database about to be dropped.</summary>
    public async Task RemoveAsync(string database)
    {
        NpgsqlDataSource? source = null;
        lock (_gate)
        {
            if (_byName.Remove(database, out var node))
            {
                _recency.Remove(node);
                source = node.Value.Source;
            }
        }

        if (source is not null)
        {
            await source.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<NpgsqlDataSource> sources;
        lock (_gate)
        {
            sources = _recency.Select(n => n.Source).ToList();
            _recency.Clear();
            _byName.Clear();
        }

        foreach (var source in sources)
        {
            await source.DisposeAsync();
        }
    }
}
