using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.GraphEmulator.Webhooks;

/// <summary>An app-level subscription: where Meta sends one object's changes, and the verify token it was saved with.</summary>
public sealed record AppSubscription(string Object, string CallbackUrl, string VerifyToken, IReadOnlyList<string> Fields);

/// <summary>One webhook POST as Meta keeps it: the exact bytes, and how its attempts went.</summary>
public sealed class WebhookDelivery(long id, string @object, string entryId, byte[] body, DateTimeOffset createdAt)
{
    public long Id { get; } = id;

    public string Object { get; } = @object;

    public string EntryId { get; } = entryId;

    public byte[] Body { get; } = body;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public int Attempts { get; set; }

    public DateTimeOffset? NextAt { get; set; } = createdAt;

    /// <summary><c>pending</c>, <c>delivered</c> or <c>dropped</c>.</summary>
    public string Status { get; set; } = "pending";

    public int? LastStatusCode { get; set; }
}

/// <summary>
/// Meta's side of webhooks (docs/graph-conversations.md, "Meta's webhooks"): app subscriptions saved through the
/// verification handshake, Pages installing the app (<c>subscribed_apps</c>), and a queue of signed
/// POSTs for every comment change on a subscribed Page or its Instagram account. Delivery and retries
/// run in <see cref="WebhookSender"/>.
/// </summary>
public sealed class MetaWebhooks(EmulatorOptions options, EmulatorWorld world, EmulatorClock clock)
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, AppSubscription> _apps = new();
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _pages = new();
    private readonly ConcurrentQueue<WebhookDelivery> _log = new();
    private readonly ConcurrentQueue<(string Object, string EntryId, JsonObject Change)> _changes = new();
    private long _nextDelivery;

    public IReadOnlyCollection<WebhookDelivery> Deliveries => _log;

    public AppSubscription? AppSubscriptionFor(string @object) => _apps.GetValueOrDefault(@object);

    public void SaveAppSubscription(AppSubscription subscription) => _apps[subscription.Object] = subscription;

    /// <summary>The fields a Page (or an Instagram Login account) installed the app with; null when it has not.</summary>
    public IReadOnlyList<string>? InstalledFields(string ownerId) => _pages.GetValueOrDefault(ownerId);

    /// <summary>POST replaces the field set (the contract says: always send the full set).</summary>
    public void Install(string ownerId, IReadOnlyList<string> fields) => _pages[ownerId] = fields;

    public bool Uninstall(string ownerId) => _pages.TryRemove(ownerId, out _);

    /// <summary>Queues the notification of a comment change when both the app and the owning Page subscribed to it.</summary>
    public void Notify(Comment comment, string verb)
    {
        if (world.FindPost(comment.ObjectId) is { } post)
        {
            if (_apps.GetValueOrDefault("page")?.Fields.Contains("feed") != true || InstalledFields(post.PageId)?.Contains("feed") != true)
            {
                return;
            }

            var value = new JsonObject
            {
                ["item"] = "comment",
                ["verb"] = verb,
                ["comment_id"] = comment.Id,
                ["post_id"] = post.Id,
                ["parent_id"] = comment.ParentId ?? post.Id,
                ["from"] = new JsonObject { ["id"] = comment.FromId, ["name"] = comment.FromName },
            };
            if (verb != "remove")
            {
                value["message"] = comment.Message;
                value["created_time"] = comment.CreatedTime.ToUnixTimeSeconds();
                value["post"] = new JsonObject
                {
                    ["id"] = post.Id, ["status_type"] = "mobile_status_update", ["is_published"] = true,
                    ["permalink_url"] = $"https://www.facebook.com/{post.PageId}/posts/{post.Id.Split('_')[1]}",
                };
            }

            _changes.Enqueue(("page", post.PageId, new JsonObject { ["field"] = "feed", ["value"] = value }));
        }
        else if (verb == "add" && world.FindMedia(comment.ObjectId) is { } media && world.FindAccount(media.AccountId) is { } account)
        {
            // Instagram notifies new comments only; the linked Page (an Instagram Login account itself) must have the app installed.
            if (_apps.GetValueOrDefault("instagram")?.Fields.Contains("comments") != true || InstalledFields(account.PageId ?? account.Id) is null)
            {
                return;
            }

            var value = new JsonObject
            {
                ["id"] = comment.Id,
                ["text"] = comment.Message,
                ["from"] = new JsonObject { ["id"] = comment.FromId, ["username"] = comment.FromName },
                ["media"] = new JsonObject { ["id"] = media.Id, ["media_product_type"] = media.MediaType == "VIDEO" ? "REELS" : "FEED" },
            };
            if (comment.ParentId is { } parent)
            {
                value["parent_id"] = parent;
            }

            _changes.Enqueue(("instagram", account.Id, new JsonObject { ["field"] = "comments", ["value"] = value }));
        }
    }

    /// <summary>Packs queued changes into POSTs of up to <see cref="EmulatorOptions.WebhookBatchSize"/> changes.</summary>
    public IReadOnlyList<WebhookDelivery> TakeNewDeliveries()
    {
        var made = new List<WebhookDelivery>();
        while (!_changes.IsEmpty)
        {
            var batch = new List<(string Object, string EntryId, JsonObject Change)>();
            while (batch.Count < Math.Max(1, options.WebhookBatchSize) && _changes.TryPeek(out var next) && (batch.Count == 0 || next.Object == batch[0].Object)
                && _changes.TryDequeue(out var change))
            {
                batch.Add(change);
            }

            var now = clock.Now;
            var body = new JsonObject
            {
                ["object"] = batch[0].Object,
                ["entry"] = new JsonArray([.. batch.GroupBy(c => c.EntryId).Select(g => (JsonNode)new JsonObject
                {
                    ["id"] = g.Key,
                    ["time"] = now.ToUnixTimeSeconds(),
                    ["changes"] = new JsonArray([.. g.Select(c => (JsonNode)c.Change)]),
                })]),
            };
            var delivery = new WebhookDelivery(Interlocked.Increment(ref _nextDelivery), batch[0].Object, batch[0].EntryId, Encode(body), now);
            _log.Enqueue(delivery);
            made.Add(delivery);
        }

        return made;
    }

    /// <summary>Meta's signature header: HMAC-SHA256 of the exact bytes, keyed by the app secret, lowercase hex.</summary>
    public string Sign(byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.AppSecret), body));

    /// <summary>JSON as Meta writes it: non-ASCII characters as <c>\uXXXX</c> escapes with lowercase hex.</summary>
    public static byte[] Encode(JsonNode body)
    {
        var text = body.ToJsonString(Relaxed);
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c > 127)
            {
                escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return Encoding.UTF8.GetBytes(escaped.ToString());
    }
}
