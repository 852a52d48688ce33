using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansSocial.Inbox;
using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Grains.Inbox;

/// <summary>A notification as recorded (catalog collection <c>meta_events</c>, id = SHA-256 of its bytes).</summary>
public sealed record MetaEventRecord(string Id, string ReceivedAt, string Body)
{
    public static readonly IndexDefinition ByReceived = new("received", [new IndexField("receivedAt", FieldKind.String)]);
}

/// <summary>
/// Takes Meta's notifications: <see cref="Record"/> makes the raw body durable before the front answers
/// 200 (so whatever is not recorded, Meta sends again), then routes it in the background: each comment
/// change to the conversation grain of every tenant whose channel holds the account it names, and the
/// record is deleted once all have it. Conversations apply changes by platform id, so routing twice (a
/// replay, a sweep after a crash) changes nothing. Notifications a crash left unrouted are picked up by
/// <see cref="Sweep"/>.
/// </summary>
[StatelessWorker]
public sealed partial class MetaEventsGrain(IDocumentStore store, AccountDirectory directory, TimeProvider time, ILogger<MetaEventsGrain> logger) : Grain, IMetaEventsGrain
{
    /// <summary>Conversations one notification routes to at once (Meta batches up to 1000 changes).</summary>
    private const int RoutingParallelism = 16;

    /// <summary>The key whose activations route (the front records through key 0).</summary>
    private const long RouterKey = 1;

    private IDocumentCollection Events => store.Catalog.GetCollection(Collections.MetaEvents);

    public async Task Record(byte[] body)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(body));
        var text = Encoding.UTF8.GetString(body);
        // A byte-identical replay is already recorded (or already routed): storing it again would change nothing.
        await Events.InsertAsync(id, DocumentJson.ToJson(new MetaEventRecord(id, StoredTime.Of(time.GetUtcNow()), text)), CancellationToken.None);
        // Routed by another grain's activations: this one stays free to record the next notification.
        await GrainFactory.GetGrain<IMetaEventsGrain>(RouterKey).Route(id, text);
    }

    public async Task Route(string id, string body)
    {
        try
        {
            await RouteAsync(id, body);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Kept: the sweep routes it again.
            LogRouteDeferred(logger, exception, id);
        }
    }

    public async Task<int> Sweep(TimeSpan minimumAge)
    {
        var before = StoredTime.Of(time.GetUtcNow() - minimumAge);
        var page = await Events.QueryAsync(new DocumentQuery
        {
            Filters = [FieldFilter.Lt("receivedAt", before)],
            Sort = new SortField("receivedAt", FieldKind.String),
            Limit = 100,
        }, CancellationToken.None);
        var routed = 0;
        foreach (var stored in page.Items)
        {
            if (DocumentJson.TryRead<MetaEventRecord>(stored.Body) is { } record)
            {
                await RouteAsync(record.Id, record.Body);
                routed++;
            }
            else
            {
                await Events.DeleteAsync(stored.Id, CancellationToken.None);
            }
        }

        return routed;
    }

    private async Task RouteAsync(string id, string body)
    {
        IReadOnlyList<AccountCommentEvent> events;
        try
        {
            using var document = JsonDocument.Parse(body);
            events = MetaNotifications.Read(document.RootElement);
        }
        catch (JsonException)
        {
            // Signed by Meta yet not JSON: nothing to route, and nothing Meta would send differently.
            LogUnreadable(logger, id);
            await Events.DeleteAsync(id, CancellationToken.None);
            return;
        }

        var channels = new Dictionary<string, IReadOnlyList<ReadModels.Inbox.AccountChannel>>(StringComparer.Ordinal);
        foreach (var accountId in events.Select(e => e.AccountId).Distinct(StringComparer.Ordinal))
        {
            channels[accountId] = await directory.ForAccountAsync(accountId, CancellationToken.None);
        }

        // One conversation's changes in the order Meta sent them; different conversations side by side.
        var conversations = events
            .SelectMany(e => channels[e.AccountId].Select(h => (Key: ConversationIds.GrainKey(h.TenantId, ConversationIds.For(h.ChannelId, e.Event.ParentId ?? e.Event.CommentId)),
                Id: ConversationIds.For(h.ChannelId, e.Event.ParentId ?? e.Event.CommentId), e.Event)))
            .Where(c => ConversationIds.IsValid(c.Id))
            .GroupBy(c => c.Key, StringComparer.Ordinal)
            .ToList();
        await Parallel.ForEachAsync(conversations, new ParallelOptions { MaxDegreeOfParallelism = RoutingParallelism, TaskScheduler = TaskScheduler.Current }, async (conversation, _) =>
        {
            var grain = GrainFactory.GetGrain<IConversationGrain>(conversation.Key);
            foreach (var change in conversation)
            {
                await grain.Ingest(change.Event);
            }
        });

        await Events.DeleteAsync(id, CancellationToken.None);
        LogRouted(logger, id, events.Count, channels.Values.Sum(c => c.Count));
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Meta notification {Id} not routed yet; the sweep routes it again")]
    private static partial void LogRouteDeferred(ILogger logger, Exception exception, string id);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Meta notification {Id} is not JSON; dropped")]
    private static partial void LogUnreadable(ILogger logger, string id);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Debug, Message = "Meta notification {Id}: {Events} comment change(s) routed to {Channels} channel(s)")]
    private static partial void LogRouted(ILogger logger, string id, int events, int channels);
}
