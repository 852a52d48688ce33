using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>
/// The cap on webhook endpoints, decided in the tenant's turn like the monthly post limit; and whether
/// the tenant may have an endpoint at all, so what announces an event asks this grain, not the database.
/// </summary>
public sealed partial class TenantGrain
{
    private readonly HeldAdmissions _webhookAdmissions = new(TimeSpan.FromMinutes(1));

    // What was stored when first asked, and true from every admission on: an endpoint is admitted here
    // before it is written, so one whose creation has finished is always known. An endpoint deleted
    // since leaves it true (the announcer then finds nobody to tell, as before).
    private bool? _mayHaveEndpoints;

    public async Task<bool> MayHaveWebhookEndpoints()
    {
        if (Entry is null || _database is null)
        {
            return false;
        }

        // One row by key order answers "any?": the cost does not grow with the endpoints.
        _mayHaveEndpoints ??= (await _database.GetCollection(Collections.Webhooks).QueryAsync(new DocumentQuery { Limit = 1 }, CancellationToken.None)).Items.Count > 0;

        return _mayHaveEndpoints.Value;
    }

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
            _mayHaveEndpoints = true;
            return;
        }

        if (places.Count >= max)
        {
            throw new DomainException(ProblemKind.PlanLimit, $"A tenant has at most {max} webhook endpoints.", "webhooks");
        }

        _webhookAdmissions.Hold(webhookId, now);
        _mayHaveEndpoints = true;
    }
}
