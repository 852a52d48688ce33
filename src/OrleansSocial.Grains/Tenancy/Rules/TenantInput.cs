using System.Net.Mail;
using OrleansSocial.Tenancy;
using OrleansSocial.Validation;

namespace OrleansSocial.Grains.Tenancy.Rules;

/// <summary>
/// What the tenant grain accepts, as pure functions: names, emails, role grants, limit changes,
/// time zones, reasons and member cursors. Each refusal is a 400 naming the field.
/// </summary>
public static class TenantInput
{
    public const int MaxNameLength = 100;
    public const int MaxReasonLength = 500;

    public static TenantLimits Limits(TenantLimits limits, LimitsChange change)
    {
        static int? Count(int? current, int? requested, string field) => requested switch
        {
            null => current,
            LimitsChange.Unlimited => null,
            >= 0 => requested,
            _ => throw DomainException.Invalid($"limits.{field}", $"limits.{field} must be 0 or more, or -1 for unlimited."),
        };

        static int Rate(int current, int? requested, string field) => requested switch
        {
            null => current,
            >= 1 => requested.Value,
            _ => throw DomainException.Invalid($"limits.{field}", $"limits.{field} must be at least 1."),
        };

        return new TenantLimits(
            Count(limits.Members, change.Members, "members"),
            Count(limits.Channels, change.Channels, "channels"),
            Count(limits.ScheduledPostsPerMonth, change.ScheduledPostsPerMonth, "scheduledPostsPerMonth"),
            Rate(limits.ManualSyncsPerChannelPerHour, change.ManualSyncsPerChannelPerHour, "manualSyncsPerChannelPerHour"),
            Rate(limits.ApiRequestsPerMinute, change.ApiRequestsPerMinute, "apiRequestsPerMinute"),
            Count(limits.DraftPosts, change.DraftPosts, "draftPosts"));
    }

    public static (string Role, IReadOnlyList<string> Permissions) Grant(string? role, IReadOnlyList<string?>? permissions)
    {
        if (role is null || !Roles.IsKnown(role))
        {
            throw DomainException.Invalid("role", $"role must be one of: {string.Join(", ", Roles.All)}.");
        }

        if (permissions is null)
        {
            throw DomainException.Invalid("permissions", "permissions must be a list of permission names (or left out).");
        }

        for (var i = 0; i < permissions.Count; i++)
        {
            if (permissions[i] is not { } permission || !OrleansSocial.Tenancy.Permissions.IsKnown(permission))
            {
                throw DomainException.Invalid($"permissions[{i}]", $"permissions[{i}] must be one of: {string.Join(", ", OrleansSocial.Tenancy.Permissions.All)}.");
            }
        }

        return (role, permissions.Cast<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
    }

    public static string Name(string? name, string field)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxNameLength)
        {
            throw DomainException.Invalid(field, $"{field} must be 1-{MaxNameLength} characters.");
        }

        var why = InputRules.CheckString(trimmed)
            ?? (trimmed.Any(c => c is '\n' or '\r' or '\t') ? "must be one line" : null);
        return why is null ? trimmed : throw DomainException.Invalid(field, $"{field} {why}.");
    }

    public static string Email(string? email, string field)
    {
        var trimmed = email?.Trim() ?? "";
        return trimmed.Length <= 254 && MailAddress.TryCreate(trimmed, out var address) && address.Address == trimmed
            ? trimmed
            : throw DomainException.Invalid(field, $"{field} must be an email address.");
    }

    public static string TimeZone(string timeZone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _)
            ? timeZone
            : throw DomainException.Invalid("timeZone", $"'{timeZone}' is not an IANA time zone.");

    /// <summary>A number within [min, max] (NaN and infinities refused), or a 400 naming the field.</summary>
    public static double Between(double value, double min, double max, string field) =>
        double.IsFinite(value) && value >= min && value <= max
            ? value
            : throw DomainException.Invalid(field, $"{field} must be between {min.ToString(System.Globalization.CultureInfo.InvariantCulture)} and {max.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");

    public static string Reason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) || reason.Length > MaxReasonLength
            ? throw DomainException.Invalid("reason", $"A reason of 1-{MaxReasonLength} characters is required.")
            : reason.Trim();

    public static string EncodeMemberCursor(string memberId) => TextCursor.Encode(memberId);

    public static string DecodeMemberCursor(string cursor) => TextCursor.Decode(cursor);
}
