using OrleansSocial.Tenancy;

namespace OrleansSocial.Grains.Tenancy.Rules;

/// <summary>
/// The tenant's members in memory and the index from key id to member that authenticates a key.
/// Pure bookkeeping: the grain loads it at activation and writes through before changing it.
/// </summary>
internal sealed class MemberRoster
{
    private readonly Dictionary<string, MemberDocument> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string MemberId, string Hash)> _keys = new(StringComparer.Ordinal);

    public int Count => _members.Count;

    public int Owners => _members.Values.Count(m => m.Role == Roles.Owner);

    public IEnumerable<MemberDocument> All => _members.Values;

    public bool TryGet(string memberId, out MemberDocument member) => _members.TryGetValue(memberId, out member!);

    public bool HasEmail(string email) => _members.Values.Any(m => string.Equals(m.Email, email, StringComparison.OrdinalIgnoreCase));

    /// <summary>Adds the member, or replaces it and its keys.</summary>
    public void Put(MemberDocument member)
    {
        if (_members.TryGetValue(member.MemberId, out var previous))
        {
            Remove(previous);
        }

        _members[member.MemberId] = member;
        foreach (var key in member.Keys)
        {
            _keys[key.KeyId] = (member.MemberId, key.Hash);
        }
    }

    public void Remove(MemberDocument member)
    {
        _members.Remove(member.MemberId);
        foreach (var key in member.Keys)
        {
            _keys.Remove(key.KeyId);
        }
    }

    public void Clear()
    {
        _members.Clear();
        _keys.Clear();
    }

    /// <summary>The member a key belongs to, if it is a live key of this tenant; compared in constant time.</summary>
    public MemberDocument? Authenticate(string tenantId, string apiKey) =>
        ApiKeys.Parse(apiKey) is { } claimed && claimed.TenantId == tenantId
            && _keys.TryGetValue(claimed.KeyId, out var stored) && ApiKeys.Matches(apiKey, stored.Hash)
            ? _members[stored.MemberId]
            : null;

    /// <summary>Members in id order after <paramref name="after"/>; the next cursor when more follow.</summary>
    public (IReadOnlyList<MemberDocument> Items, string? After) Page(string? after, int limit)
    {
        var ordered = _members.Values.OrderBy(m => m.MemberId, StringComparer.Ordinal)
            .Where(m => after is null || string.CompareOrdinal(m.MemberId, after) > 0)
            .Take(limit + 1)
            .ToList();
        return (ordered.Take(limit).ToList(), ordered.Count > limit ? ordered[limit - 1].MemberId : null);
    }
}
