using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>The cap on webhook endpoints, decided in the tenant's turn like the monthly post limit.</summary>
public sealed partial class TenantGrain
{
    private readonly HeldAdmissions _webhookAdmissions = new(TimeSpan.FromMinutes(1));

    public async Task AdmitWebhook(string webhookId, int max)
    {
        RequireTenant();
        var now = time.GetUtcNow();
        // At most the cap's worth of records: the plan bounds this read.
        var places = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var stored in _database!.GetCollection(Collections.Webhooks).ReadAllAsync())
        {
            places.Add(stored.Id);
        }

        await _webhookAdmissions.SettleAsync(now, id => ValueTask.FromResult(places.Contains(id)));
        places.UnionWith(_webhookAdmissions.Ids);

        if (places.Contains(webhookId))
        {
            return;
        }

        if (places.Count >= max)
        {
            throw new DomainException(ProblemKind.PlanLimit, $"A tenant has at most {max} webhook endpoints.", "webhooks");
        }

        _webhookAdmissions.Hold(webhookId, now);
    }
}
