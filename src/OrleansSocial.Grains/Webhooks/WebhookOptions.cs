namespace OrleansSocial.Grains.Webhooks;

/// <summary>Webhook delivery (configuration section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Development and tests only: lets endpoints be http and on private, loopback or link-local addresses.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>One attempt, connect to last byte: short, so a slow receiver holds up only its own endpoint.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The default retry schedule: 5 s … 8 h, about a day in all.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(8), TimeSpan.FromHours(8),
    ];

    /// <summary>
    /// The waits before each retry of a delivery that failed temporarily (timeout, connection error,
    /// 408, 429, 5xx), with ±20 % jitter; a longer Retry-After wins. Empty: <see cref="DefaultRetryDelays"/>.
    /// (Configuration adds to a list it binds, so the default is not the list's initial content.)
    /// </summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays.Count > 0 ? RetryDelays : DefaultRetryDelays;

    /// <summary>
    /// The longest wait a receiver's Retry-After can ask for before the next attempt; a longer (or
    /// far-future) one waits this long. The attempt counts as failed either way.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>After this many deliveries in a row end failed, the endpoint is disabled (and <c>webhook.disabled</c> goes to the others).</summary>
    public int DisableAfterFailedDeliveries { get; set; } = 5;

    /// <summary>While deliveries wait, the endpoint's reminder ticks this often: it brings them back after a silo dies.</summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Endpoints per tenant.</summary>
    public int MaxEndpoints { get; set; } = 20;

    /// <summary>Bytes of a receiver's answer kept in the delivery log.</summary>
    public int ExcerptBytes { get; set; } = 256;
}
