using OrleansSocial.Budget;
using OrleansSocial.Channels;
using OrleansSocial.Grains.Channels;
using OrleansSocial.Grains.Budget;
using OrleansSocial.Graph;
using OrleansSocial.Inbox;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Inbox;

/// <summary>
/// Hide, unhide and delete the conversation's comment on the platform while the member waits. Each
/// sets a state, so repeating one is harmless; a comment already deleted on the platform is settled
/// as deleted, not an error.
/// </summary>
public sealed partial class ConversationGrain
{
    public async Task<ConversationView> Moderate(Actor actor, string action)
    {
        var doc = Require();
        if (doc.Deleted)
        {
            return action == ModerationActions.Delete
                ? doc.ToView()
                : throw new DomainException(ProblemKind.Conflict, "The comment was deleted.");
        }

        var access = await Channel.OpenPublishing();
        if (!access.Exists)
        {
            throw DomainException.NotFound("channel", $"Channel '{ChannelId}' does not exist.");
        }

        if (access.Status != ChannelStatus.Active || access.Token is not { } token)
        {
            throw new DomainException(ProblemKind.Conflict, access.Status == ChannelStatus.NeedsReauth
                ? "The channel needs re-authorisation: PUT its token first."
                : "The channel is paused.");
        }

        var gate = new BudgetGate(GrainFactory.GetGrain<IRateBudgetGrain>(BudgetGate.BucketOf(Platform, AccountId)), time, Key.TenantId);
        var hostGraph = graph.For(access);
        var gone = false;
        try
        {
            await gate.CallAsync(BudgetPriority.Conversation, 1, () => action == ModerationActions.Delete
                ? hostGraph.DeleteCommentAsync(doc.CommentId, token)
                : hostGraph.SetCommentHiddenAsync(doc.CommentId, token, action == ModerationActions.Hide, Platform == ChannelIds.Instagram), usage => usage);
        }
        catch (GraphException exception) when (GraphClient.IsGone(exception))
        {
            gone = true;
        }
        catch (GraphException exception)
        {
            await Tenant.RecordAudit(actor, $"conversation.{action}", Key.ConversationId, "failure", $"Graph {exception.Kind}, code {exception.Code}");
            if (exception.Kind == GraphErrorKind.TokenInvalid)
            {
                await Channel.TokenRejected(exception.Code, exception.Subcode);
                throw new DomainException(ProblemKind.Conflict, "Facebook refused the channel's token: the channel needs re-authorisation.");
            }

            throw exception.Kind is GraphErrorKind.PermissionMissing or GraphErrorKind.InvalidRequest
                ? new DomainException(ProblemKind.Conflict, $"The platform refused to {action} this comment ({exception.Kind}, code {exception.Code}).")
                : DomainException.Upstream($"The Graph API failed ({exception.Kind}, code {exception.Code}); try again later.");
        }
        catch (BudgetDeferredException deferred)
        {
            throw DomainException.BudgetSpent(deferred.RetryAt - time.GetUtcNow());
        }

        await UpdateAsync(current => Present(current) with
        {
            Deleted = gone || action == ModerationActions.Delete || current!.Deleted,
            Hidden = action == ModerationActions.Hide || (action != ModerationActions.Unhide && current!.Hidden),
        });
        await Tenant.RecordAudit(actor, $"conversation.{action}", Key.ConversationId, "success", gone ? "already deleted on the platform" : null);
        if (gone && action != ModerationActions.Delete)
        {
            throw new DomainException(ProblemKind.Conflict, "The comment was deleted on the platform.");
        }

        return Require().ToView();
    }
}
