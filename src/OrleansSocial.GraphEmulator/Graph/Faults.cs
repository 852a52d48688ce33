using System.Collections.Concurrent;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// A fault to inject: matches by endpoint, path prefix, token or object id; answers a Graph
/// error (or plain HTTP 5xx), or adds latency. <see cref="Remaining"/> bounds how often it fires.
/// </summary>
public sealed record Fault
{
    public string? Endpoint { get; init; }

    public string? PathPrefix { get; init; }

    public string? Token { get; init; }

    public string? ObjectId { get; init; }

    public int? Code { get; init; }

    public int? Subcode { get; init; }

    public string? Message { get; init; }

    public bool? IsTransient { get; init; }

    /// <summary>A plain HTTP status with no Graph envelope (e.g. 502 from a proxy).</summary>
    public int? HttpStatus { get; init; }

    public int LatencyMs { get; init; }

    /// <summary>
    /// Process the request as usual, then (after <see cref="LatencyMs"/>, if any) drop the connection
    /// without answering: the outcome is unknown to the client.
    /// </summary>
    public bool DropAfterProcessing { get; init; }

    /// <summary>Only requests of this method (GET, POST, DELETE).</summary>
    public string? Method { get; init; }

    public int? Remaining { get; set; }

    public bool Matches(GraphRequest request)
    {
        var path = string.Join('/', request.Segments);
        return (Endpoint is null || Endpoint == request.Endpoint)
            && (Method is null || string.Equals(Method, request.Method, StringComparison.OrdinalIgnoreCase))
            && (PathPrefix is null || path.StartsWith(PathPrefix, StringComparison.Ordinal))
            && (Token is null || Token == request.Token)
            && (ObjectId is null || request.Segments.FirstOrDefault() == ObjectId);
    }
}

public sealed class Faults
{
    private readonly List<Fault> _faults = [];

    public void Add(Fault fault)
    {
        lock (_faults)
        {
            _faults.Add(fault);
        }
    }

    public void Clear()
    {
        lock (_faults)
        {
            _faults.Clear();
        }
    }

    /// <summary>The first matching fault that still has firings left; consumes one.</summary>
    public Fault? Take(GraphRequest request)
    {
        lock (_faults)
        {
            var fault = _faults.FirstOrDefault(f => f.Remaining is null or > 0 && f.Matches(request));
            if (fault?.Remaining is > 0)
            {
                fault.Remaining--;
            }

            return fault;
        }
    }
}

/// <summary>Counters of every Graph call by token, object and endpoint, for tests and benchmarks.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentDictionary<string, long> _byToken = new();
    private readonly ConcurrentDictionary<string, long> _byObject = new();
    private readonly ConcurrentDictionary<string, long> _byEndpoint = new();
    private readonly ConcurrentDictionary<int, long> _byStatus = new();
    private long _total;

    public void Record(GraphRequest request, int status)
    {
        Interlocked.Increment(ref _total);
        _byEndpoint.AddOrUpdate($"{request.Method} {request.Endpoint}", 1, (_, n) => n + 1);
        _byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
        if (request.Token is { Length: > 8 } token)
        {
            // Only a prefix: the log is readable by anyone with access to the control API.
            _byToken.AddOrUpdate(token[..8] + "…", 1, (_, n) => n + 1);
        }

        if (request.Segments.FirstOrDefault() is { } id && char.IsDigit(id.FirstOrDefault()))
        {
            _byObject.AddOrUpdate(id.Split('_')[0], 1, (_, n) => n + 1);
        }
    }

    public object Snapshot() => new
    {
        total = Interlocked.Read(ref _total),
        byEndpoint = _byEndpoint.ToDictionary(),
        byObject = _byObject.ToDictionary(),
        byToken = _byToken.ToDictionary(),
        byStatus = _byStatus.ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value),
    };

    public long Total => Interlocked.Read(ref _total);

    public long CountFor(string objectId) => _byObject.TryGetValue(objectId, out var n) ? n : 0;

    public void Reset()
    {
        _byToken.Clear();
        _byObject.Clear();
        _byEndpoint.Clear();
        _byStatus.Clear();
        Interlocked.Exchange(ref _total, 0);
    }
}
