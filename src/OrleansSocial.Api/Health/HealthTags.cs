namespace OrleansSocial.Api.Health;

internal static class HealthTags
{
    /// <summary>Checks that must pass before the silo takes traffic.</summary>
    public const string Ready = "ready";
}
