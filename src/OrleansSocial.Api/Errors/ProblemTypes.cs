namespace OrleansSocial.Api.Errors;

/// <summary>
/// The <c>type</c> URIs of problems specific to this API. Generic HTTP errors keep the
/// RFC 9110 section links ASP.NET Core assigns.
/// </summary>
public static class ProblemTypes
{
    public const string Base = "https://docs.orleans-social.dev/problems/";
    public const string TenantSuspended = Base + "tenant-suspended";
    public const string PlanLimit = Base + "plan-limit";
    public const string ProvisioningFailed = Base + "provisioning-failed";
    public const string TenantMoving = Base + "tenant-moving";
    public const string StorageBusy = Base + "storage-busy";
    public const string ClusterUnavailable = Base + "cluster-unavailable";
}
