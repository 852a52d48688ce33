using OrleansSocial.Graph.Models;
using OrleansSocial.Inbox;

namespace OrleansSocial.Grains.Inbox;

/// <summary>
/// What a sync or a poll read of a channel's comments, handed to the inbox: the reconciliation with
/// Meta's webhooks. Only recent comments become conversations (a first sync reads two years of them);
/// a comment the webhook already brought is the same conversation, by its platform id.
/// </summary>
public sealed class InboxFeed(IGrainFactory grains, string tenantId, string channelId, string source)
{
    public async Task SeenAsync(string postId, IReadOnlyList<GraphComment> comments, DateTimeOffset since)
    {
        foreach (var comment in comments.Where(c => c.At is null || c.At >= since))
        {
            var conversationId = ConversationIds.For(channelId, comment.Id);
            if (!ConversationIds.IsValid(conversationId))
            {
                continue;
            }

            await grains.GetGrain<IConversationGrain>(ConversationIds.GrainKey(tenantId, conversationId)).Ingest(new CommentEvent(
                comment.Id, null, postId, CommentVerbs.Add, comment.From?.Id, comment.From?.Name ?? comment.Username, comment.Body, comment.At, null, source));
        }
    }
}
