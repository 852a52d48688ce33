using System.Collections.Concurrent;
using System.Globalization;

namespace OrleansSocial.GraphEmulator.World;

/// <summary>
/// A deterministic world from a seed: users, their Pages, linked Instagram accounts, posts,
/// media and comments. Content is generated per Page on first use, so a world of 10,000
/// Pages costs nothing until it is read. Ids are digit strings in the real formats and encode
/// the owning Page so any id resolves without an index.
/// </summary>
public sealed class EmulatorWorld
{
    public const long UserBase = 10150000000000000;
    public const long PageBase = 100000000000000;
    public const long PostBase = 200000000000000;
    public const long CommentBase = 300000000000000;
    public const long InstagramBase = 17841400000000000;
    public const long MediaBase = 17900000000000000;
    public const long MediaCommentBase = 17950000000000000;
    public const long ContainerBase = 17960000000000000;

    // Posts and media published through the emulator take ids from ranges of their own, so they never
    // take a generated one; within a Page they count up from the seconds since DynamicOrigin at the
    // emulator's start, so a restarted emulator does not hand out the ids of posts published before it
    // (unless that Page published faster than one object a second on average).
    public const long DynamicPostBase = 250000000000000;
    public const long DynamicMediaBase = 17910000000000000;
    private const long DynamicStride = 1_000_000_000;
    private static readonly DateTimeOffset DynamicOrigin = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Categories = ["Bakery", "Product/Service", "Local Business", "Restaurant", "Clothing Store", "Agency"];
    private static readonly string[] Words = ["fresh", "today", "new", "launch", "weekend", "offer", "croissants", "coffee", "summer", "team", "event", "thanks", "menu", "open", "local"];

    private readonly ConcurrentDictionary<int, PageContent> _content = new();
    private long _nextContainer;
    private readonly long _firstDynamic;

    public EmulatorWorld(EmulatorOptions options, DateTimeOffset epoch, DateTimeOffset? startedAt = null)
    {
        Options = options;
        Epoch = epoch;
        var started = startedAt ?? DateTimeOffset.UtcNow;
        _firstDynamic = Math.Clamp((long)(started - DynamicOrigin).TotalSeconds, 0, DynamicStride / 2);
        _nextContainer = (long)Math.Max(0, (started - DynamicOrigin).TotalSeconds) * 1000;
        Users = Enumerable.Range(0, options.Users).Select(i => new User(i, (UserBase + i).ToString(CultureInfo.InvariantCulture), $"User {i}")).ToList();
    }

    public EmulatorOptions Options { get; }

    /// <summary>The emulator clock's start: generated history ends here.</summary>
    public DateTimeOffset Epoch { get; }

    public IReadOnlyList<User> Users { get; }

    public int PageCount => Options.Users * Options.PagesPerUser;

    /// <summary>Every Page's linked account, then the accounts without a Page (Instagram Login only).</summary>
    public int AccountCount => PageCount + Math.Max(0, Options.InstagramLoginAccounts);

    /// <summary>The accounts that have no Page: they connect only through Instagram Login.</summary>
    public IEnumerable<InstagramAccount> PagelessAccounts => Enumerable.Range(PageCount, AccountCount - PageCount).Select(AccountAt);

    public IEnumerable<Page> PagesOf(User user) =>
        Enumerable.Range(user.Index * Options.PagesPerUser, Options.PagesPerUser).Select(PageAt);

    public User? FindUser(string id) =>
        long.TryParse(id, out var n) && n >= UserBase && n < UserBase + Options.Users ? Users[(int)(n - UserBase)] : null;

    public Page PageAt(int index)
    {
        var random = RandomFor(index, 1);
        var id = (PageBase + index).ToString(CultureInfo.InvariantCulture);
        return new Page(index, id, $"Emulated Page {index}", $"emulated.page{index}", Categories[random.Next(Categories.Length)],
            FanCount: 100 + random.Next(20_000), FollowersCount: 120 + random.Next(25_000),
            OwnerUserId: (UserBase + index / Options.PagesPerUser).ToString(CultureInfo.InvariantCulture),
            InstagramId: (InstagramBase + index).ToString(CultureInfo.InvariantCulture));
    }

    public Page? FindPage(string id) =>
        long.TryParse(id, out var n) && n >= PageBase && n < PageBase + PageCount ? PageAt((int)(n - PageBase)) : null;

    public InstagramAccount AccountAt(int index)
    {
        var random = RandomFor(index, 2);
        var pageId = index < PageCount ? (PageBase + index).ToString(CultureInfo.InvariantCulture) : null;
        return new InstagramAccount(index, (InstagramBase + index).ToString(CultureInfo.InvariantCulture), pageId,
            $"emulated_{index}", $"Emulated Account {index}", "Made by the Graph emulator", 100 + random.Next(30_000), 10 + random.Next(900));
    }

    public InstagramAccount? FindAccount(string id) =>
        long.TryParse(id, out var n) && n >= InstagramBase && n < InstagramBase + AccountCount ? AccountAt((int)(n - InstagramBase)) : null;

    public PageContent ContentOf(int pageIndex) => _content.GetOrAdd(pageIndex, Generate);

    /// <summary>Posts of a Page, newest first, including ones published through the emulator.</summary>
    public IReadOnlyList<Post> PostsOf(Page page, DateTimeOffset now)
    {
        var content = ContentOf(page.Index);
        lock (content)
        {
            return content.Posts.Where(p => p.Published || (p.ScheduledPublishTime is { } at && at <= now))
                .Where(p => p.CreatedTime <= now || p.ScheduledPublishTime <= now)
                .OrderByDescending(p => p.ScheduledPublishTime ?? p.CreatedTime).ThenByDescending(p => p.Id, StringComparer.Ordinal).ToList();
        }
    }

    public IReadOnlyList<Post> ScheduledOf(Page page, DateTimeOffset now)
    {
        var content = ContentOf(page.Index);
        lock (content)
        {
            return content.Posts.Where(p => !p.Published && p.ScheduledPublishTime > now).OrderBy(p => p.ScheduledPublishTime).ToList();
        }
    }

    public Post? FindPost(string id)
    {
        var parts = id.Split('_');
        if (parts.Length != 2 || FindPage(parts[0]) is not { } page)
        {
            return null;
        }

        var content = ContentOf(page.Index);
        lock (content)
        {
            return content.Posts.FirstOrDefault(p => p.Id == id);
        }
    }

    public IReadOnlyList<Comment> CommentsOf(string objectId)
    {
        var owner = PageIndexOfObject(objectId);
        if (owner is null)
        {
            return [];
        }

        var content = ContentOf(owner.Value);
        lock (content)
        {
            return content.Comments.TryGetValue(objectId, out var list) ? list.ToList() : [];
        }
    }

    /// <summary>The account's feed media and reels, newest first (stories are listed by <see cref="StoriesOf"/>).</summary>
    public IReadOnlyList<Media> MediaOf(InstagramAccount account)
    {
        var content = ContentOf(account.Index);
        lock (content)
        {
            return content.Media.Where(m => !m.Story).OrderByDescending(m => m.Timestamp).ThenByDescending(m => m.Id, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The account's stories of the last 24 hours, newest first (<c>GET /{ig-user}/stories</c>).</summary>
    public IReadOnlyList<Media> StoriesOf(InstagramAccount account, DateTimeOffset now)
    {
        var content = ContentOf(account.Index);
        lock (content)
        {
            return content.Media.Where(m => m.Story && m.Timestamp > now - TimeSpan.FromDays(1)).OrderByDescending(m => m.Timestamp).ThenByDescending(m => m.Id, StringComparer.Ordinal).ToList();
        }
    }

    public Media? FindMedia(string id)
    {
        if (!long.TryParse(id, out var n) || n < MediaBase || n >= MediaCommentBase)
        {
            return null;
        }

        var index = (int)(n >= DynamicMediaBase ? (n - DynamicMediaBase) / DynamicStride : (n - MediaBase) / 100_000);
        if (index >= AccountCount)
        {
            return null;
        }

        var content = ContentOf(index);
        lock (content)
        {
            return content.Media.FirstOrDefault(m => m.Id == id);
        }
    }

    public Post AddPost(Page page, string message, DateTimeOffset now, bool published, DateTimeOffset? scheduledAt)
    {
        var content = ContentOf(page.Index);
        lock (content)
        {
            var post = new Post(NewPostId(page, content), page.Id, message, now, 0, 0, published, scheduledAt);
            content.Posts.Add(post);
            content.LastMessage = message;
            return post;
        }
    }

    /// <summary>
    /// A Page post from the past with the engagement it starts from (tests and benchmarks give an account a
    /// history whose pattern they know); it takes an id from the published range and counts as no publication.
    /// </summary>
    public Post AddPastPost(Page page, string message, DateTimeOffset createdTime, int reactions, int shares)
    {
        var content = ContentOf(page.Index);
        lock (content)
        {
            var post = new Post(NewPostId(page, content), page.Id, message, createdTime, shares, reactions, true, null);
            content.Posts.Add(post);
            return post;
        }
    }

    /// <summary>An Instagram medium from the past with the likes it starts from (see <see cref="AddPastPost"/>).</summary>
    public Media AddPastMedia(InstagramAccount account, string caption, DateTimeOffset timestamp, int likes)
    {
        var content = ContentOf(account.Index);
        lock (content)
        {
            var media = new Media(NewMediaId(account, content), account.Id, caption, "IMAGE", timestamp, likes);
            content.Media.Add(media);
            return media;
        }
    }

    /// <summary>The next id of the Page's own range for posts made through the emulator (the caller holds the content's lock).</summary>
    private string NewPostId(Page page, PageContent content) =>
        $"{page.Id}_{DynamicPostBase + page.Index * DynamicStride + content.NextPostId(_firstDynamic)}";

    /// <summary>The next id of the account's own range for media made through the emulator (the caller holds the content's lock).</summary>
    private string NewMediaId(InstagramAccount account, PageContent content) =>
        (DynamicMediaBase + account.Index * DynamicStride + content.NextMediaId(_firstDynamic)).ToString(CultureInfo.InvariantCulture);

    /// <summary>The message last posted to the Page through the emulator (duplicate check, code 506).</summary>
    public string? LastMessageOf(Page page)
    {
        var content = ContentOf(page.Index);
        lock (content)
        {
            return content.LastMessage;
        }
    }

    public Media AddMedia(InstagramAccount account, string caption, string mediaType, DateTimeOffset now, bool story = false)
    {
        var content = ContentOf(account.Index);
        lock (content)
        {
            var media = new Media(NewMediaId(account, content), account.Id, caption, mediaType, now, 0, story);
            content.Media.Add(media);
            content.Published.Add(now);
            return media;
        }
    }

    public int PublishedSince(InstagramAccount account, DateTimeOffset since)
    {
        var content = ContentOf(account.Index);
        lock (content)
        {
            return content.Published.Count(t => t > since);
        }
    }

    public string NextContainerId() => (ContainerBase + Interlocked.Increment(ref _nextContainer)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Engagement grows with the emulator clock: a little per day since publication, up to a cap.</summary>
    public static int Grown(int baseValue, DateTimeOffset created, DateTimeOffset now) =>
        baseValue + (int)Math.Clamp((now - created).TotalDays * 2, 0, 200);

    private int? PageIndexOfObject(string objectId)
    {
        if (FindPost(objectId) is { } post)
        {
            return FindPage(post.PageId)!.Index;
        }

        return FindMedia(objectId) is { } media ? FindAccount(media.AccountId)!.Index : null;
    }

    private Random RandomFor(int index, int stream) => new(StableHash.Of(Options.Seed, index, stream));

    private PageContent Generate(int index)
    {
        var page = PageAt(index);
        var account = AccountAt(index);
        var random = RandomFor(index, 3);
        var content = new PageContent();
        var span = TimeSpan.FromDays(730);
        for (var k = 0; k < Options.PostsPerPage; k++)
        {
            var created = Epoch - span * ((k + 0.5) / Options.PostsPerPage) + TimeSpan.FromMinutes(random.Next(600));
            var objectId = PostBase + (long)index * 100_000 + k;
            var post = new Post($"{page.Id}_{objectId}", page.Id, Sentence(random), created, random.Next(20), random.Next(150), true, null);
            content.Posts.Add(post);
            content.Comments[post.Id] = Comments(random, post.Id, created, CommentBase + ((long)index * 100_000 + k) * 10, isInstagram: false);
        }

        for (var k = 0; k < Options.MediaPerAccount; k++)
        {
            var created = Epoch - span * ((k + 0.5) / Options.MediaPerAccount) + TimeSpan.FromMinutes(random.Next(600));
            var media = new Media((MediaBase + (long)index * 100_000 + k).ToString(CultureInfo.InvariantCulture), account.Id, Sentence(random),
                k % 7 == 0 ? "VIDEO" : k % 5 == 0 ? "CAROUSEL_ALBUM" : "IMAGE", created, random.Next(300));
            content.Media.Add(media);
            content.Comments[media.Id] = Comments(random, media.Id, created, MediaCommentBase + ((long)index * 100_000 + k) * 10, isInstagram: true);
        }

        return content;
    }

    private List<Comment> Comments(Random random, string objectId, DateTimeOffset created, long idBase, bool isInstagram)
    {
        var count = random.Next(Options.MaxCommentsPerPost + 1);
        var objectPart = objectId.Contains('_') ? objectId.Split('_')[1] : null;
        return Enumerable.Range(0, count).Select(j =>
        {
            var id = isInstagram ? (idBase + j).ToString(CultureInfo.InvariantCulture) : $"{objectPart}_{idBase + j}";
            var fan = random.Next(1000);
            return new Comment(id, objectId, Sentence(random), created + TimeSpan.FromMinutes(5 + j * 37), (UserBase + 5000 + fan).ToString(CultureInfo.InvariantCulture), $"Fan {fan}", random.Next(10));
        }).ToList();
    }

    private static string Sentence(Random random) =>
        string.Join(' ', Enumerable.Range(0, 4 + random.Next(6)).Select(_ => Words[random.Next(Words.Length)])) + "!";

    public sealed class PageContent
    {
        public List<Post> Posts { get; } = [];

        public List<Media> Media { get; } = [];

        public Dictionary<string, List<Comment>> Comments { get; } = [];

        public List<DateTimeOffset> Published { get; } = [];

        public string? LastMessage { get; set; }

        private long _lastPost = -1;
        private long _lastMedia = -1;

        /// <summary>The next id within this Page's range for published posts (called under the content's lock).</summary>
        public long NextPostId(long first) => _lastPost = Math.Max(_lastPost + 1, first);

        /// <summary>The next id within the linked account's range for published media (called under the content's lock).</summary>
        public long NextMediaId(long first) => _lastMedia = Math.Max(_lastMedia + 1, first);
    }
}
