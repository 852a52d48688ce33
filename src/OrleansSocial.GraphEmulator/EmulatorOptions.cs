namespace OrleansSocial.GraphEmulator;

/// <summary>The emulator's world and limits (<c>Emulator</c> section). Everything is deterministic from the seed.</summary>
public sealed class EmulatorOptions
{
    public const string Section = "Emulator";

    public int Seed { get; set; } = 42;

    /// <summary>Users in the world; each manages <see cref="PagesPerUser"/> Pages, each with a linked Instagram account.</summary>
    public int Users { get; set; } = 3;

    public int PagesPerUser { get; set; } = 2;

    public int PostsPerPage { get; set; } = 60;

    public int MediaPerAccount { get; set; } = 40;

    public int MaxCommentsPerPost { get; set; } = 6;

    /// <summary>Daily insight values on Saturdays and Sundays (Pacific) are this share of a weekday's; 1: no weekly shape.</summary>
    public double WeekendFactor { get; set; } = 1.0;

    /// <summary>Instagram professional accounts without a Page, reached only through Instagram Login (after the Pages' linked accounts).</summary>
    public int InstagramLoginAccounts { get; set; } = 2;

    /// <summary>The emulator clock at start; default: the real time at start.</summary>
    public DateTimeOffset? StartTime { get; set; }

    /// <summary>Emulated seconds per real second.</summary>
    public double ClockSpeed { get; set; } = 1;

    public string AppId { get; set; } = "1234567890123";

    public string AppSecret { get; set; } = "emulator-app-secret";

    /// <summary>The Instagram app of "API setup with Instagram login": its secret exchanges Instagram Login tokens.</summary>
    public string InstagramAppId { get; set; } = "9876543210987";

    public string InstagramAppSecret { get; set; } = "emulator-instagram-app-secret";

    /// <summary>When true a server call without a valid appsecret_proof fails with code 100.</summary>
    public bool RequireAppSecretProof { get; set; }

    /// <summary>Platform budget: calls per rolling hour for user and app tokens.</summary>
    public int AppCallsPerHour { get; set; } = 200_000;

    /// <summary>Business-use-case budget per Page: calls per rolling 24 h with Page tokens.</summary>
    public int PageCallsPerDay { get; set; } = 48_000;

    /// <summary>Business-use-case budget per Instagram account: calls per rolling 24 h.</summary>
    public int InstagramCallsPerDay { get; set; } = 48_000;

    /// <summary>Instagram content publishing quota per rolling 24 h.</summary>
    public int PublishingQuota { get; set; } = 50;

    /// <summary>How far ahead a Page post may be scheduled. Unconfirmed upstream (30 days, 75 days or 6 months): set it to test each.</summary>
    public TimeSpan SchedulingWindowMax { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a video container stays IN_PROGRESS.</summary>
    public TimeSpan VideoProcessing { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Page insight metrics that answer (#100) "not a valid insights metric".</summary>
    public List<string> DeprecatedMetrics { get; set; } =
        ["page_impressions", "page_impressions_unique", "page_fans", "page_engaged_users", "impressions", "plays", "video_views"];

    /// <summary>When Meta retries a webhook POST that did not get a 2xx (from the first attempt); dropped after <see cref="WebhookDropAfter"/>.</summary>
    public List<TimeSpan> WebhookRetryDelays { get; set; } =
    [
        TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromHours(24),
    ];

    public TimeSpan WebhookDropAfter { get; set; } = TimeSpan.FromHours(36);

    /// <summary>When set, every retry waits this long instead of Meta's schedule (tests and demos).</summary>
    public TimeSpan? WebhookRetryEvery { get; set; }

    /// <summary>How long one webhook POST may take before it counts as failed.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Changes per webhook POST (Meta sends up to 1000; one by default).</summary>
    public int WebhookBatchSize { get; set; } = 1;

    /// <summary>The public base URL used in paging links; default: the request's own.</summary>
    public string? PublicBaseUrl { get; set; }
}
