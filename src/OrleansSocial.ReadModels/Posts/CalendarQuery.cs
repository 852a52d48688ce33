using OrleansSocial.Posts;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.ReadModels.Posts;

/// <summary>
/// The calendar: a tenant's posts by status, channel and scheduled time, earliest first (drafts
/// without a time last), one page at a time. Answered from the indexes of <see cref="PostCalendar"/>:
/// its cost is a page (plus, with a channel, one read by id per post on it), never the tenant's history.
/// </summary>
public sealed record CalendarQuery(PublicationStatus? Status, string? ChannelId, DateTimeOffset? From, DateTimeOffset? To, int Limit, string? Cursor)
{
    /// <summary>The collection the page is read from: the posts, or with a channel that channel's rows.</summary>
    public string Collection => ChannelId is null ? Collections.PlannedPosts : Collections.PostChannels;

    /// <summary>The page's query over <see cref="Collection"/>, served by an index of <see cref="PostCalendar.Indexes"/>.</summary>
    public DocumentQuery PageQuery => new()
    {
        Filters = ChannelId is null ? Filters() : [FieldFilter.Eq(PostCalendar.ChannelField, ChannelId), .. Filters()],
        Sort = new SortField(PostCalendar.SortField, FieldKind.String),
        Limit = Limit,
        Cursor = Cursor,
    };

    public async Task<(IReadOnlyList<PostView> Items, string? NextCursor)> RunAsync(IDocumentDatabase database, CancellationToken cancellationToken)
    {
        if (ChannelId is null)
        {
            var page = await database.GetCollection(Collection).QueryAsync(PageQuery, cancellationToken);
            return ([.. page.Items.Select(i => DocumentJson.TryRead<PostView>(i.Body)).OfType<PostView>()], page.NextCursor);
        }

        var rows = await database.GetCollection(Collection).QueryAsync(PageQuery, cancellationToken);
        var posts = database.GetCollection(Collections.PlannedPosts);
        var items = new List<PostView>();
        foreach (var row in rows.Items)
        {
            // The row leads to the post; the post itself decides (a row a crash left behind a change is not believed).
            if (DocumentJson.TryRead<PostChannelRow>(row.Body) is { PostId: not null } found
                && await posts.GetAsync(found.PostId, cancellationToken) is { } stored
                && DocumentJson.TryRead<PostView>(stored) is { } post
                && Matches(post))
            {
                items.Add(post);
            }
        }

        return (items, rows.NextCursor);
    }

    private IReadOnlyList<FieldFilter> Filters()
    {
        var filters = new List<FieldFilter>();
        if (Status is { } status)
        {
            filters.Add(FieldFilter.Eq(PostCalendar.StatusField, StatusName(status)));
        }

        if (From is { } from)
        {
            filters.Add(FieldFilter.Gte(PostCalendar.SortField, StoredTime.Of(from)));
        }

        if (To is { } to)
        {
            filters.Add(FieldFilter.Lt(PostCalendar.SortField, StoredTime.Of(to)));
        }
        else if (From is not null)
        {
            // A time range holds only posts with a time: drafts without one ("~…") stay out.
            filters.Add(FieldFilter.Lt(PostCalendar.SortField, PostCalendar.Unscheduled));
        }

        return filters;
    }

    private bool Matches(PostView post) =>
        (Status is null || post.Status == Status)
        && post.Publications.Any(p => p.ChannelId == ChannelId)
        && (From is null || post.Content.ScheduledAt >= From)
        && (To is null || post.Content.ScheduledAt < To);

    public static string StatusName(PublicationStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
}
