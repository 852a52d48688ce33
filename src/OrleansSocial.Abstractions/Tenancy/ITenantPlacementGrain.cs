namespace OrleansSocial.Tenancy;

/// <summary>
/// Where a tenant's database lives, and moving it. One activation per tenant, so two moves (or a
/// move and the recovery of an interrupted one) of the same tenant never run at once.
/// </summary>
[Alias("OrleansSocial.ITenantPlacementGrain")]
public interface ITenantPlacementGrain : IGrainWithStringKey
{
    /// <summary>
    /// Copies the tenant's data to <paramref name="server"/> and/or into the <paramref name="isolation"/>
    /// tier (null: where it is) and switches to it; the tenant is read-only meanwhile.
    /// </summary>
    [Alias("Move"), ResponseTimeout("01:00:00")]
    Task<TenantMoved> Move(string? server, string? isolation);

    /// <summary>Settles a move a crash interrupted (undone before its switch, finished after); nothing to do otherwise.</summary>
    [Alias("Recover"), ResponseTimeout("00:10:00")]
    Task Recover();
}

[GenerateSerializer, Immutable, Alias("OrleansSocial.TenantMoved")]
public sealed record TenantMoved(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string From,
    [property: Id(2)] string To,
    [property: Id(3)] long Documents,
    [property: Id(4)] double ReadOnlySeconds,
    [property: Id(5)] string FromIsolation = IsolationOptions.Database,
    [property: Id(6)] string ToIsolation = IsolationOptions.Database);
