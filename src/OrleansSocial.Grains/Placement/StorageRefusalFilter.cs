using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Placement;

/// <summary>
/// A storage refusal the caller can wait out — the tenant's database moving, or too busy right
/// now — leaves its grain as a refusal the front answers with 503 + Retry-After, the same from
/// every grain, instead of a storage exception that would cross the wire without its wait and
/// become a 500.
/// </summary>
public sealed class StorageRefusalFilter : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        // Every grain call passes here: no state machine unless the call is still running.
        var call = context.Invoke();
        return call.IsCompletedSuccessfully ? Task.CompletedTask : Translated(call);
    }

    private static async Task Translated(Task call)
    {
        try
        {
            await call;
        }
        catch (TenantMovingException moving)
        {
            throw DomainException.Moving(moving.RetryAfter);
        }
        catch (StorageBusyException busy)
        {
            throw DomainException.Busy(busy.RetryAfter);
        }
    }
}
