using OrleansSocial.ReadModels;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>The cap on webhook endpoints, decided in the tenant's turn like the monthly post limit.</summary>
public sealed partial class TenantGrain
{
    // Endpoints admitted whose record may not be written yet: they count until it is (or for a minute,
    // after which an admission whose registration failed no longer holds a place).
    private readonly Dictionary<string, DateTimeOffset> _webhookAdmissions = new(StringComparer.Ordinal);

    private static readonly TimeSpan WebhookAdmissionHold = TimeSpan.FromMinutes(1);

    public async Task AdmitWebhook(string webhookId, int max)
    {
        RequireTenant();
        var now = time.GetUtcNow();
        var places = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var stored in _database!.GetCollection(Collections.Webhooks).ReadAllAsync())
        {
            places.Add(stored.Id);
            _webhookAdmissions.Remove(stored.Id);
        }

        foreach (var (id, at) in _webhookAdmissions.ToList())
        {
            if (now - at > WebhookAdmissionHold)
            {
                _webhookAdmissions.Remove(id);
            }
            else
            {
                places.Add(id);
            }
        }

        if (places.Contains(webhookId))
        {
            return;
        }

        if (places.Count >= max)
        {
            throw new DomainException(ProblemKind.PlanLimit, $"A tenant has at most {max} webhook endpoints.", "webhooks");
        }

        _webhookAdmissions[webhookId] = now;
    }
}
