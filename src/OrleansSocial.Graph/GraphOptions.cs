using System.ComponentModel.DataAnnotations;

namespace OrleansSocial.Graph;

/// <summary>Where the Graph API is and how to call it (<c>Graph</c> section).</summary>
public sealed class GraphOptions
{
    public const string Section = "Graph";

    /// <summary>https://graph.facebook.com, or the emulator's URL.</summary>
    [Required(ErrorMessage = "Graph:BaseUrl is required.")]
    [Url(ErrorMessage = "Graph:BaseUrl must be an absolute URL.")]
    public string BaseUrl { get; set; } = "https://graph.facebook.com";

    [RegularExpression(@"^v\d+\.\d+$", ErrorMessage = "Graph:Version must look like v25.0.")]
    public string Version { get; set; } = "v25.0";

    /// <summary>https://graph.instagram.com (Instagram API with Instagram Login), or the emulator's Instagram host.</summary>
    [Required(ErrorMessage = "Graph:InstagramBaseUrl is required.")]
    [Url(ErrorMessage = "Graph:InstagramBaseUrl must be an absolute URL.")]
    public string InstagramBaseUrl { get; set; } = "https://graph.instagram.com";

    public string? AppId { get; set; }

    /// <summary>The Instagram app id of "API setup with Instagram login" (not the Meta app id): its budget is its own.</summary>
    public string? InstagramAppId { get; set; }

    /// <summary>The Instagram app secret: exchanges Instagram Login tokens and signs their calls' appsecret_proof.</summary>
    public string? InstagramAppSecret { get; set; }

    /// <summary>When set, every call carries appsecret_proof.</summary>
    public string? AppSecret { get; set; }

    /// <summary>
    /// What Meta's webhook handshake must present (<c>hub.verify_token</c>). Without it the product takes
    /// no webhooks: channels poll their recent comments instead.
    /// </summary>
    public string? WebhookVerifyToken { get; set; }

    /// <summary>Our public <c>/webhooks/meta</c> address, registered as the app's callback at start when set.</summary>
    public string? WebhookCallbackUrl { get; set; }

    /// <summary>Per attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>For a call with all its retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a circuit stays open for one Graph object after repeated transient failures.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
