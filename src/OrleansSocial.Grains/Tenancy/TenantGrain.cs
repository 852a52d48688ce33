using System.Buffers.Text;
using System.Net.Mail;
using System.Text;
using Microsoft.Extensions.Logging;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tenancy;

using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Sync;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>
/// A tenant: record in the catalog, members, key hashes, settings and audit in the tenant's
/// own database, all loaded at activation and written through on every change. Grain turns
/// are sequential, so checks and the writes that follow them cannot interleave.
/// </summary>
public sealed partial class TenantGrain(IDocumentStore store, TimeProvider time, ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    private const int MaxKeysPerMember = 10;
    private const int MaxNameLength = 100;

    private readonly Dictionary<string, MemberDocument> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string MemberId, string Hash)> _keys = new(StringComparer.Ordinal);
    private CatalogEntry? _entry;
    private int? _channelCount;

    // Channels admitted but not yet written by their channel grain, with when they were admitted.
    private readonly Dictionary<string, DateTimeOffset> _admitted = new(StringComparer.Ordinal);
    private static readonly TimeSpan AdmissionHold = TimeSpan.FromMinutes(1);
    private SettingsDocument _settings = new("UTC", RequireApproval: false);
    private IDocumentDatabase? _database;
    private AuditLog? _audit;

    private string TenantId => this.GetPrimaryKeyString();

    private IDocumentCollection CatalogTenants => store.Catalog.GetCollection(Collections.Tenants);

    private IDocumentCollection MembersCollection => _database!.GetCollection(Collections.Members);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!StorageNames.TenantIdPattern().IsMatch(TenantId) || await CatalogTenants.GetAsync(TenantId, cancellationToken) is not { } stored)
        {
            return;
        }

        if (DocumentJson.TryRead<CatalogEntry>(stored) is not { TenantId: not null, Database: not null, Limits: not null, State: not null } entry)
        {
            // Reported, never fatal: the operator can still delete it (Delete works from the id alone).
            LogDamaged(logger, TenantId, "catalog entry");
            return;
        }

        if (entry.State == CatalogEntry.Provisioning)
        {
            // Grains activate once in the cluster: an entry still provisioning when this activation starts
            // belongs to an attempt whose silo died mid-way. Nothing of it is kept.
            await RollBackProvisioningAsync(entry, dropDatabase: true);
            LogProvisioningRecovered(logger, TenantId);
            return;
        }

        Attach(entry with { Name = entry.Name ?? TenantId, Plan = entry.Plan ?? Plans.Free });
        try
        {
            await foreach (var document in MembersCollection.ReadAllAsync(cancellationToken))
            {
                if (DocumentJson.TryRead<MemberDocument>(document.Body) is { } member && member.Repaired() is { } intact)
                {
                    Remember(intact);
                }
                else
                {
                    LogDamaged(logger, TenantId, $"member {document.Id}");
                }
            }

            if (await _database!.GetCollection(Collections.Settings).GetAsync(TenantDocuments.SettingsId, cancellationToken) is { } settings)
            {
                _settings = DocumentJson.TryRead<SettingsDocument>(settings) is { TimeZone: not null } read ? read : _settings;
            }
        }
        catch (DatabaseNotFoundException)
        {
            // The catalog points at a database that is gone: the tenant answers (nobody's key works)
            // and the operator can delete it.
            LogDamaged(logger, TenantId, $"database {entry.Database} (missing)");
        }
    }

    public async Task<ProvisionedTenant> Provision(ProvisionTenant command)
    {
        if (!StorageNames.TenantIdPattern().IsMatch(TenantId))
        {
            throw DomainException.Invalid("id", "id: a tenant id is 3-40 characters of a-z, 0-9 and '-', starting with a letter or digit.");
        }

        var name = ValidName(command.Name, "name");
        var plan = Plans.IsKnown(command.Plan) ? command.Plan : throw DomainException.Invalid("plan", $"plan must be one of: {string.Join(", ", Plans.All)}.");
        var ownerEmail = ValidEmail(command.OwnerEmail, "ownerEmail");
        if (_entry is not null)
        {
            throw new DomainException(ProblemKind.Conflict, $"Tenant '{TenantId}' already exists.");
        }

        var entry = new CatalogEntry(TenantId, name, plan, Plans.LimitsOf(plan), TenantStatus.Active, null,
            StorageNames.TenantDatabase(TenantId), store.Engine, time.GetUtcNow(), CatalogEntry.Provisioning);
        if (!await CatalogTenants.InsertAsync(TenantId, DocumentJson.ToJson(entry), CancellationToken.None))
        {
            throw new DomainException(ProblemKind.Conflict, $"Tenant '{TenantId}' already exists.");
        }

        var step = "database";
        var createdDatabase = false;
        try
        {
            await store.CreateDatabaseAsync(entry.Database, CancellationToken.None);
            createdDatabase = true;
            Attach(entry);

            step = "indexes";
            foreach (var (collection, index) in TenantDocuments.TenantIndexes)
            {
                await _database!.GetCollection(collection).EnsureIndexAsync(index, CancellationToken.None);
            }

            step = "settings";
            await SaveSettingsAsync(_settings);

            step = "owner";
            var owner = await CreateMemberAsync(ownerEmail, Roles.Owner, []);

            step = "audit";
            await _audit!.WriteAsync(Actor.Operator, "tenant.provisioned", TenantId, AuditLog.Success, $"plan {plan}");
            await _audit.WriteAsync(Actor.Operator, "member.added", owner.MemberId, AuditLog.Success, "role owner");

            step = "activate";
            _entry = entry with { State = CatalogEntry.Ready };
            await SaveEntryAsync();
            LogProvisioned(logger, TenantId, entry.Database, entry.Engine);
            return new ProvisionedTenant(View(channels: 0), owner);
        }
        catch (Exception exception) when (exception is not DomainException)
        {
            LogProvisioningFailed(logger, exception, TenantId, step);
            await RollBackProvisioningAsync(entry, createdDatabase);
            var reason = exception is DatabaseAlreadyExistsException ? "the tenant's database already exists" : "the storage engine refused it";
            throw new DomainException(ProblemKind.StepFailed,
                $"Provisioning failed at step '{step}' ({reason}); everything it had created was removed.", step);
        }
    }

    public async Task<TenantView?> Get()
    {
        if (_entry is null)
        {
            DeactivateOnIdle();
            return null;
        }

        return await ViewAsync();
    }

    public Task<TenantStanding?> Standing() =>
        Task.FromResult(_entry is null ? null : new TenantStanding(_entry.Status, _settings.TimeZone, _entry.Limits));

    public Task ChannelsChanged()
    {
        // No DeactivateOnIdle for a missing tenant here: this one-way call can arrive from a channel
        // deleted with its tenant just as the tenant is created again, and would bounce that request.
        _channelCount = null;
        return Task.CompletedTask;
    }

    public async Task AdmitChannels(Actor actor, IReadOnlyList<string> channelIds)
    {
        RequireTenant();
        var channels = _database!.GetCollection(Collections.Channels);
        var now = time.GetUtcNow();
        foreach (var (id, at) in _admitted.ToList())
        {
            if (now - at > AdmissionHold || await channels.GetAsync(id, CancellationToken.None) is not null)
            {
                _admitted.Remove(id);
            }
        }

        var fresh = new List<string>();
        foreach (var id in channelIds.Distinct(StringComparer.Ordinal))
        {
            if (!_admitted.ContainsKey(id) && await channels.GetAsync(id, CancellationToken.None) is null)
            {
                fresh.Add(id);
            }
        }

        var existing = (int)await channels.CountAsync([], CancellationToken.None) + _admitted.Count;
        if (_entry!.Limits.Channels is { } max && existing + fresh.Count > max)
        {
            await _audit!.WriteAsync(actor, "channel.connected", string.Join(",", channelIds), "denied", $"plan limit channels ({existing} + {fresh.Count} > {max})");
            throw new DomainException(ProblemKind.PlanLimit, $"This plan allows {max} channels; connecting these accounts would make {existing + fresh.Count}.", "channels");
        }

        foreach (var id in fresh)
        {
            _admitted[id] = now;
        }
    }

    public async Task RecordAudit(Actor actor, string action, string target, string outcome, string? detail)
    {
        RequireTenant();
        await _audit!.WriteAsync(actor, action, target, outcome, detail);
    }

    public async Task<AccessDecision> Authorize(string apiKey, string? permission)
    {
        if (_entry is null)
        {
            DeactivateOnIdle();
            return AccessDecision.Deny(AccessOutcome.UnknownTenant);
        }

        if (ApiKeys.Parse(apiKey) is not { } claimed || claimed.TenantId != TenantId
            || !_keys.TryGetValue(claimed.KeyId, out var stored) || !ApiKeys.Matches(apiKey, stored.Hash))
        {
            return AccessDecision.Deny(AccessOutcome.InvalidKey);
        }

        if (_entry.Status == TenantStatus.Suspended)
        {
            return AccessDecision.Deny(AccessOutcome.Suspended);
        }

        var member = _members[stored.MemberId];
        if (permission is not null && !Roles.Effective(member.Role, member.Permissions).Contains(permission))
        {
            await _audit!.WriteAsync(new Actor(member.MemberId), "access.denied", permission, AuditLog.Denied, $"missing permission {permission}");
            return AccessDecision.Deny(AccessOutcome.MissingPermission, permission);
        }

        return new AccessDecision(AccessOutcome.Allowed, member.MemberId, _entry.Plan, _entry.Limits, null,
            [.. Roles.Effective(member.Role, member.Permissions).Order(StringComparer.Ordinal)]);
    }

    public async Task<TenantView> Change(Actor actor, TenantChange change)
    {
        var entry = RequireTenant();
        RequireOperator(actor);
        var name = change.Name is null ? entry.Name : ValidName(change.Name, "name");
        var plan = change.Plan ?? entry.Plan;
        if (!Plans.IsKnown(plan))
        {
            throw DomainException.Invalid("plan", $"plan must be one of: {string.Join(", ", Plans.All)}.");
        }

        var limits = plan != entry.Plan ? Plans.LimitsOf(plan) : entry.Limits;
        if (change.Limits is { } overrides)
        {
            limits = Apply(limits, overrides);
        }

        _entry = entry with { Name = name, Plan = plan, Limits = limits };
        await SaveEntryAsync();
        await _audit!.WriteAsync(actor, "tenant.changed", TenantId, AuditLog.Success, $"plan {plan}");
        return await ViewAsync();
    }

    public async Task<TenantView> ChangeSettings(Actor actor, SettingsChange change)
    {
        var entry = RequireTenant();
        await RequirePermissionAsync(actor, Permissions.TenantManage, "tenant.settings_changed", TenantId);
        var name = change.Name is null ? entry.Name : ValidName(change.Name, "name");
        var timeZone = change.TimeZone ?? _settings.TimeZone;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            throw DomainException.Invalid("timeZone", $"'{timeZone}' is not an IANA time zone.");
        }

        if (name != entry.Name)
        {
            _entry = entry with { Name = name };
            await SaveEntryAsync();
        }

        await SaveSettingsAsync(new SettingsDocument(timeZone, change.RequireApproval ?? _settings.RequireApproval));
        await _audit!.WriteAsync(actor, "tenant.settings_changed", TenantId, AuditLog.Success);
        return await ViewAsync();
    }

    public Task<TenantView> Suspend(Actor actor, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 500)
        {
            throw DomainException.Invalid("reason", "A reason of 1-500 characters is required.");
        }

        return SetStatusAsync(actor, TenantStatus.Suspended, reason.Trim());
    }

    public Task<TenantView> Activate(Actor actor) => SetStatusAsync(actor, TenantStatus.Active, null);

    /// <summary>
    /// Always completes for a tenant the catalog knows, whatever state its data is in: channels are
    /// told to stop (one that fails is logged, not fatal), the database is dropped if it exists, the
    /// catalog entry goes last.
    /// </summary>
    public async Task Delete(Actor actor)
    {
        if (_entry is null && (!StorageNames.TenantIdPattern().IsMatch(TenantId) || await CatalogTenants.GetAsync(TenantId, CancellationToken.None) is null))
        {
            throw DomainException.NotFound("tenant", $"Tenant '{TenantId}' does not exist.");
        }

        RequireOperator(actor);
        var database = _entry?.Database ?? StorageNames.TenantDatabase(TenantId);
        await DisconnectChannelsAsync(database);
        if (await store.DatabaseExistsAsync(database, CancellationToken.None))
        {
            await store.DropDatabaseAsync(database, CancellationToken.None);
        }

        await CatalogTenants.DeleteAsync(TenantId, CancellationToken.None);
        Forget();
        LogDeleted(logger, TenantId, database);
        DeactivateOnIdle();
    }

    /// <summary>
    /// Active channel grains hold their record in memory: each is told to disconnect before the
    /// database goes, so a tenant provisioned again under this id never sees a ghost channel.
    /// </summary>
    private async Task DisconnectChannelsAsync(string database)
    {
        // Ids first: disconnecting deletes the documents being paged over.
        var ids = new List<string>();
        try
        {
            await foreach (var channel in store.GetDatabase(database).GetCollection(Collections.Channels).ReadAllAsync())
            {
                ids.Add(channel.Id);
            }
        }
        catch (DatabaseNotFoundException)
        {
            return;
        }

        foreach (var id in ids)
        {
            try
            {
                await GrainFactory.GetGrain<OrleansSocial.Channels.IChannelGrain>(OrleansSocial.Channels.ChannelIds.GrainKey(TenantId, id)).Disconnect();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Its reminder finds no record on its next tick and removes itself.
                LogChannelDisconnectFailed(logger, exception, TenantId, id);
            }
        }
    }

    public Task<MemberPage> ListMembers(string? cursor, int limit)
    {
        RequireTenant();
        var after = cursor is null ? null : DecodeMemberCursor(cursor);
        var ordered = _members.Values.OrderBy(m => m.MemberId, StringComparer.Ordinal)
            .Where(m => after is null || string.CompareOrdinal(m.MemberId, after) > 0)
            .Take(limit + 1)
            .ToList();
        var next = ordered.Count > limit ? Base64Url.EncodeToString(Encoding.UTF8.GetBytes(ordered[limit - 1].MemberId)) : null;
        return Task.FromResult(new MemberPage(ordered.Take(limit).Select(m => m.ToView()).ToList(), next));
    }

    public async Task<CreatedMember> AddMember(Actor actor, NewMember member)
    {
        var entry = RequireTenant();
        var acting = await RequirePermissionAsync(actor, Permissions.MembersManage, "member.added", member.Email ?? "");
        var email = ValidEmail(member.Email, "email");
        var (role, permissions) = ValidGrant(member.Role, member.Permissions);
        await RequireAsync(acting, a => MemberRules.MayGrant(a, role, permissions), "member.added", email);
        if (_members.Values.Any(m => string.Equals(m.Email, email, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DomainException(ProblemKind.Conflict, $"A member with email '{email}' already exists.");
        }

        if (entry.Limits.Members is { } max && _members.Count >= max)
        {
            await _audit!.WriteAsync(actor, "member.added", email, AuditLog.Denied, "plan limit members");
            throw new DomainException(ProblemKind.PlanLimit, $"The {entry.Plan} plan allows {max} members.", "members");
        }

        var created = await CreateMemberAsync(email, role, permissions);
        await _audit!.WriteAsync(actor, "member.added", created.MemberId, AuditLog.Success, $"role {role}");
        return created;
    }

    public async Task<MemberView> ChangeMember(Actor actor, string memberId, MemberChange change)
    {
        RequireTenant();
        var acting = await RequirePermissionAsync(actor, Permissions.MembersManage, "member.changed", memberId);
        var member = RequireMember(memberId);
        await RequireAsync(acting, a => MemberRules.MayManage(a, Rules(member)), "member.changed", memberId);
        var (role, permissions) = ValidGrant(change.Role ?? member.Role, change.Permissions ?? member.Permissions);
        await RequireAsync(acting, a => MemberRules.MayGrant(a, role, permissions), "member.changed", memberId);
        if (member.Role == Roles.Owner && role != Roles.Owner && OwnerCount() == 1)
        {
            throw new DomainException(ProblemKind.Conflict, "The last owner cannot be demoted; make another member owner first.");
        }

        var changed = member with { Role = role, Permissions = permissions };
        await SaveMemberAsync(changed);
        await _audit!.WriteAsync(actor, "member.changed", memberId, AuditLog.Success, $"role {role}");
        return changed.ToView();
    }

    public async Task RemoveMember(Actor actor, string memberId)
    {
        RequireTenant();
        var acting = await RequirePermissionAsync(actor, Permissions.MembersManage, "member.removed", memberId);
        var member = RequireMember(memberId);
        await RequireAsync(acting, a => MemberRules.MayManage(a, Rules(member)), "member.removed", memberId);
        if (member.Role == Roles.Owner && OwnerCount() == 1)
        {
            throw new DomainException(ProblemKind.Conflict, "The last owner cannot be removed; make another member owner first.");
        }

        await MembersCollection.DeleteAsync(memberId, CancellationToken.None);
        Forget(member);
        await _audit!.WriteAsync(actor, "member.removed", memberId, AuditLog.Success, $"{member.Keys.Count} keys revoked");
    }

    public async Task<CreatedKey> CreateKey(Actor actor, string memberId)
    {
        RequireTenant();
        var member = RequireMember(memberId);
        // The operator's recovery route is the only way to mint a key for somebody else.
        if (!actor.IsOperator)
        {
            var acting = RequireActing(actor);
            await RequireAsync(acting, a => MemberRules.MayMintKey(a, memberId), "key.created", memberId);
        }

        if (member.Keys.Count >= MaxKeysPerMember)
        {
            throw new DomainException(ProblemKind.Conflict, $"A member holds at most {MaxKeysPerMember} keys; revoke one first.");
        }

        var issued = ApiKeys.Issue(TenantId);
        await SaveMemberAsync(member with { Keys = [.. member.Keys, new KeyDocument(issued.KeyId, issued.Hash, time.GetUtcNow())] });
        await _audit!.WriteAsync(actor, "key.created", $"{memberId}/{issued.KeyId}", AuditLog.Success, actor.IsOperator ? "recovery by the operator" : "rotation");
        return new CreatedKey(issued.KeyId, issued.Key);
    }

    public async Task RevokeKey(Actor actor, string memberId, string keyId)
    {
        RequireTenant();
        var member = RequireMember(memberId);
        if (!actor.IsOperator)
        {
            var acting = RequireActing(actor);
            await RequireAsync(acting, a => MemberRules.MayRevokeKey(a, Rules(member)), "key.revoked", $"{memberId}/{keyId}");
        }

        if (member.Keys.All(k => k.KeyId != keyId))
        {
            throw DomainException.NotFound("key", $"Member '{memberId}' has no key '{keyId}'.");
        }

        await SaveMemberAsync(member with { Keys = member.Keys.Where(k => k.KeyId != keyId).ToList() });
        await _audit!.WriteAsync(actor, "key.revoked", $"{memberId}/{keyId}", AuditLog.Success);
    }

    public async Task<AuditPage> ReadAudit(string? cursor, int limit)
    {
        RequireTenant();
        try
        {
            return await _audit!.ReadAsync(cursor, limit);
        }
        catch (InvalidCursorException)
        {
            throw DomainException.Invalid("cursor", "The cursor is not valid.");
        }
    }

    private void Attach(CatalogEntry entry)
    {
        _entry = entry;
        _database = store.GetDatabase(entry.Database);
        _audit = new AuditLog(_database.GetCollection(Collections.Audit), time);
    }

    private void Forget()
    {
        _entry = null;
        _channelCount = null;
        _database = null;
        _audit = null;
        _members.Clear();
        _keys.Clear();
        _settings = new SettingsDocument("UTC", false);
    }

    private async Task RollBackProvisioningAsync(CatalogEntry entry, bool dropDatabase)
    {
        // Undo only what this attempt created: a database that existed before is not ours to drop.
        try
        {
            if (dropDatabase && await store.DatabaseExistsAsync(entry.Database, CancellationToken.None))
            {
                await store.DropDatabaseAsync(entry.Database, CancellationToken.None);
            }
        }
        finally
        {
            await CatalogTenants.DeleteAsync(TenantId, CancellationToken.None);
            Forget();
        }
    }

    private CatalogEntry RequireTenant() =>
        _entry ?? throw DomainException.NotFound("tenant", $"Tenant '{TenantId}' does not exist.");

    private MemberDocument RequireMember(string memberId) =>
        _members.TryGetValue(memberId, out var member) ? member : throw DomainException.NotFound("member", $"Member '{memberId}' does not exist.");

    private static void RequireOperator(Actor actor)
    {
        if (!actor.IsOperator)
        {
            throw new DomainException(ProblemKind.Forbidden, "Only the operator may do this.");
        }
    }

    /// <summary>Deny by default: the acting member must exist here and hold the permission.</summary>
    private async Task<MemberDocument?> RequirePermissionAsync(Actor actor, string permission, string action, string target)
    {
        if (actor.IsOperator)
        {
            return null;
        }

        if (_members.TryGetValue(actor.MemberId!, out var acting) && Roles.Effective(acting.Role, acting.Permissions).Contains(permission))
        {
            return acting;
        }

        await _audit!.WriteAsync(actor, action, target, AuditLog.Denied, $"missing permission {permission}");
        throw new DomainException(ProblemKind.Forbidden, $"This needs the '{permission}' permission.", permission);
    }

    private MemberDocument RequireActing(Actor actor) =>
        actor.MemberId is { } id && _members.TryGetValue(id, out var acting)
            ? acting
            : throw new DomainException(ProblemKind.Forbidden, "The acting member no longer exists.");

    private static MemberRules.Member Rules(MemberDocument member) => new(member.MemberId, member.Role, member.Permissions);

    /// <summary>Asks one of <see cref="MemberRules"/>; a refusal is audited and becomes 403. The operator passes.</summary>
    private async Task RequireAsync(MemberDocument? acting, Func<MemberRules.Member, MemberRules.Refusal?> rule, string action, string target)
    {
        if (acting is null || rule(Rules(acting)) is not { } refusal)
        {
            return;
        }

        await _audit!.WriteAsync(new Actor(acting.MemberId), action, target, AuditLog.Denied, refusal.Detail);
        throw new DomainException(ProblemKind.Forbidden, refusal.Detail, refusal.Permission);
    }

    private async Task<CreatedMember> CreateMemberAsync(string email, string role, IReadOnlyList<string> permissions)
    {
        var issued = ApiKeys.Issue(TenantId);
        var now = time.GetUtcNow();
        var member = new MemberDocument("m" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)),
            email, role, permissions, [new KeyDocument(issued.KeyId, issued.Hash, now)], now);
        await SaveMemberAsync(member);
        return new CreatedMember(member.MemberId, new CreatedKey(issued.KeyId, issued.Key));
    }

    private async Task SaveMemberAsync(MemberDocument member)
    {
        await MembersCollection.UpsertAsync(member.MemberId, DocumentJson.ToJson(member), CancellationToken.None);
        if (_members.TryGetValue(member.MemberId, out var previous))
        {
            Forget(previous);
        }

        Remember(member);
    }

    private void Remember(MemberDocument member)
    {
        _members[member.MemberId] = member;
        foreach (var key in member.Keys)
        {
            _keys[key.KeyId] = (member.MemberId, key.Hash);
        }
    }

    private void Forget(MemberDocument member)
    {
        _members.Remove(member.MemberId);
        foreach (var key in member.Keys)
        {
            _keys.Remove(key.KeyId);
        }
    }

    private async Task SaveSettingsAsync(SettingsDocument settings)
    {
        await _database!.GetCollection(Collections.Settings).UpsertAsync(TenantDocuments.SettingsId, DocumentJson.ToJson(settings), CancellationToken.None);
        _settings = settings;
    }

    private Task SaveEntryAsync() => CatalogTenants.UpsertAsync(TenantId, DocumentJson.ToJson(_entry!), CancellationToken.None);

    private async Task<TenantView> SetStatusAsync(Actor actor, TenantStatus status, string? reason)
    {
        var entry = RequireTenant();
        RequireOperator(actor);
        _entry = entry with { Status = status, SuspendedReason = reason };
        await SaveEntryAsync();
        await _audit!.WriteAsync(actor, status == TenantStatus.Suspended ? "tenant.suspended" : "tenant.activated", TenantId, AuditLog.Success, reason);
        return await ViewAsync();
    }

    private int OwnerCount() => _members.Values.Count(m => m.Role == Roles.Owner);

    /// <summary>The tenant as every route answers it, usage included (a PATCH once answered with zero channels).</summary>
    private async Task<TenantView> ViewAsync()
    {
        // Counted once, then kept until a channel grain says it changed: GET /api/tenant is a hot path.
        if (_channelCount is null)
        {
            try
            {
                _channelCount = (int)await _database!.GetCollection(Collections.Channels).CountAsync([], CancellationToken.None);
            }
            catch (DatabaseNotFoundException)
            {
                // A damaged tenant (its database is gone) still answers, with nothing counted.
                return View(channels: 0);
            }
        }

        return View(_channelCount.Value);
    }

    private TenantView View(int channels)
    {
        var e = _entry!;
        return new TenantView(e.TenantId, e.Name, e.Plan, e.Limits, e.Status, e.SuspendedReason, e.Database, e.Engine, e.CreatedAt,
            _settings.TimeZone, _settings.RequireApproval, new TenantUsage(_members.Count, channels, ScheduledPostsThisMonth: 0));
    }

    private static TenantLimits Apply(TenantLimits limits, LimitsChange change)
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
            Rate(limits.ApiRequestsPerMinute, change.ApiRequestsPerMinute, "apiRequestsPerMinute"));
    }

    private static (string Role, IReadOnlyList<string> Permissions) ValidGrant(string? role, IReadOnlyList<string?>? permissions)
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

    private static string ValidName(string? name, string field)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxNameLength)
        {
            throw DomainException.Invalid(field, $"{field} must be 1-{MaxNameLength} characters.");
        }

        var why = OrleansSocial.Validation.InputRules.CheckString(trimmed)
            ?? (trimmed.Any(c => c is '\n' or '\r' or '\t') ? "must be one line" : null);
        return why is null ? trimmed : throw DomainException.Invalid(field, $"{field} {why}.");
    }

    private static string ValidEmail(string? email, string field)
    {
        var trimmed = email?.Trim() ?? "";
        return trimmed.Length <= 254 && MailAddress.TryCreate(trimmed, out var address) && address.Address == trimmed
            ? trimmed
            : throw DomainException.Invalid(field, $"{field} must be an email address.");
    }

    private static string DecodeMemberCursor(string cursor)
    {
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw DomainException.Invalid("cursor", "The cursor is not valid.");
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Tenant {TenantId} provisioned in database {Database} ({Engine})")]
    private static partial void LogProvisioned(ILogger logger, string tenantId, string database, string engine);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Provisioning of tenant {TenantId} failed at step {Step}; rolling back")]
    private static partial void LogProvisioningFailed(ILogger logger, Exception exception, string tenantId, string step);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Tenant {TenantId}: an unfinished provisioning (its silo died mid-way) was rolled back; the id is free again")]
    private static partial void LogProvisioningRecovered(ILogger logger, string tenantId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Tenant {TenantId}: its {Part} is damaged and was left out; the tenant still answers and can be repaired or deleted")]
    private static partial void LogDamaged(ILogger logger, string tenantId, string part);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Tenant {TenantId}: channel {ChannelId} could not be disconnected while deleting the tenant; deletion goes on")]
    private static partial void LogChannelDisconnectFailed(ILogger logger, Exception exception, string tenantId, string channelId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Tenant {TenantId} deleted: database {Database} dropped")]
    private static partial void LogDeleted(ILogger logger, string tenantId, string database);
}
