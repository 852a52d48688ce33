using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.Apis;

/// <summary>The contract's paging: <c>?limit=</c> (default 25, max 100) and an opaque <c>?cursor=</c>.</summary>
public static class Paging
{
    public const int DefaultLimit = 25;
    public const int MaxLimit = 100;

    public static int Limit(int? limit) => limit switch
    {
        null => DefaultLimit,
        >= 1 and <= MaxLimit => limit.Value,
        _ => throw DomainException.Invalid("limit", $"limit must be between 1 and {MaxLimit}."),
    };
}

/// <summary>A page of a list: <c>{ items, nextCursor }</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
