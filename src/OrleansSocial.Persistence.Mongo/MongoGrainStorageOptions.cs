namespace OrleansSocial.Persistence.Mongo;

public sealed class MongoGrainStorageOptions
{
    public string ConnectionString { get; set; } = "";

    /// <summary>Where grains that belong to no tenant keep their state.</summary>
    public string DefaultDatabase { get; set; } = "orleans_grain_state";

    /// <summary>
    /// Grain types keyed by tenant (key <c>{tenantId}</c> or <c>{tenantId}/...</c>): their state lives in
    /// that tenant's own database, beside its other data, and goes with it when the tenant is deleted.
    /// </summary>
    public IReadOnlyList<string> TenantOwnedGrainTypes { get; set; } = ["tenant", "channel"];
}
