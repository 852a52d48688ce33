
namespace OrleansSocial.Api.Tenancy;

/// <summary>The strategy: the tenant is named by the <c>x-tenant-id</c> header, checked before anything looks it up.</summary>
internal static class TenantHeader
{
    public const string Name = "x-tenant-id";

    public static (string? TenantId, string? Problem) Read(HttpRequest request)
    {
        var values = request.Headers[Name];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return (null, $"The {Name} header is required.");
        }

        // The value is never echoed back: it is caller-controlled and may be huge or hostile.
        return values.Count == 1 && ReadModels.TenantReads.IsTenantId(values[0])
            ? (values[0], null)
            : (null, $"The {Name} header must be one tenant id: 3-40 characters of a-z, 0-9 and '-', starting with a letter or digit.");
    }

    public static string? BearerKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
