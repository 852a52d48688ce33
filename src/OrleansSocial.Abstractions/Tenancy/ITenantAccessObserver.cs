namespace OrleansSocial.Tenancy;

/// <summary>
/// A silo's cache of access decisions, as the tenant grain sees it: told to forget a tenant
/// whenever anything that decides access (or shows in its view) changes, before the change is
/// acknowledged to whoever made it.
/// </summary>
[Alias("OrleansSocial.ITenantAccessObserver")]
public interface ITenantAccessObserver : IGrainObserver
{
    [Alias("Forget")]
    Task Forget(string tenantId);
}

/// <summary>How long the tenant grain keeps telling a silo's cache about changes after its last subscription.</summary>
public static class TenantAccessWatch
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>A cached decision is used at most this long: well inside the lease, so no entry outlives its subscription.</summary>
    public static readonly TimeSpan MaxEntryAge = TimeSpan.FromSeconds(30);
}
