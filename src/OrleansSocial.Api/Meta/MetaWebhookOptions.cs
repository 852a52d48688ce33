namespace OrleansSocial.Api.Meta;

/// <summary>
/// What the receiver of Meta's webhooks checks (<c>Graph</c> section, the same keys the Graph client
/// reads): the verify token of the subscription handshake and the app secret the notifications are
/// signed with. Without a verify token the receiver refuses the handshake and channels poll instead.
/// </summary>
public sealed class MetaWebhookOptions
{
    public const string Section = "Graph";

    public string? WebhookVerifyToken { get; set; }

    public string? AppSecret { get; set; }

    /// <summary>A notification larger than this is refused with 413 (Meta batches up to 1000 changes).</summary>
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;
}
