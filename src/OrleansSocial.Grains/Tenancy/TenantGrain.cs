using Microsoft.Extensions.Logging;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Grains.Records;
using OrleansSocial.Grains.Tenancy.Rules;
using OrleansSocial.Tenancy;

using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>
/// A tenant: record in the catalog, members, key hashes, settings and audit in the tenant's
/// own database, all loaded at activation and written through on every change. Grain turns
/// are sequential, so checks and the writes that follow them cannot interleave.
/// </summary>
public sealed partial class TenantGrain(IDocumentStore store, TimeProvider time, Microsoft.Extensions.Options.IOptions<IsolationOptions> isolations, ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    private const int MaxKeysPerMember = 10;

    private static readonly SettingsDocument DefaultSettings = new("UTC", RequireApproval: false);

    private readonly MemberRoster _members = new();
    // The tenant's entry in the catalog and its settings in its own database, each with one writer that
    // assigns only what it wrote: a refused write leaves the grain as it was.
    private TenantRecord<CatalogEntry>? _entryRecord;
    private TenantRecord<SettingsDocument>? _settingsRecord;
    private int? _channelCount;
    private (string Month, int Count)? _scheduledThisMonth;
    private IDocumentDatabase? _database;
    private AuditLog? _audit;

    private string TenantId => this.GetPrimaryKeyString();

    private IDocumentCollection CatalogTenants => store.Catalog.GetCollection(Collections.Tenants);

    private TenantRecord<CatalogEntry> EntryRecord => _entryRecord ??= new(CatalogTenants, TenantId, ReadEntry);

    private CatalogEntry? Entry => EntryRecord.Current;

    private SettingsDocument Settings => _settingsRecord?.Current ?? DefaultSettings;

    /// <summary>A usable catalog entry, with what older versions left out filled in; null when damaged.</summary>
    private CatalogEntry? ReadEntry(System.Text.Json.JsonElement stored) =>
        DocumentJson.TryRead<CatalogEntry>(stored) is { TenantId: not null, Database: not null, Limits: not null, State: not null } entry
            ? entry with { Name = entry.Name ?? TenantId, Plan = entry.Plan ?? Plans.Free }
            : null;

    private IDocumentCollection MembersCollection => _database!.GetCollection(Collections.Members);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!StorageNames.TenantIdPattern().IsMatch(TenantId) || !await EntryRecord.LoadAsync(cancellationToken))
        {
            return;
        }

        if (Entry is not { } entry)
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

        Attach(entry);
        try
        {
            await foreach (var document in MembersCollection.ReadAllAsync(cancellationToken))
            {
                if (DocumentJson.TryRead<MemberDocument>(document.Body) is { } member && member.Repaired() is { } intact)
                {
                    _members.Put(intact);
                }
                else
                {
                    LogDamaged(logger, TenantId, $"member {document.Id}");
                }
            }

            if (await _settingsRecord!.LoadAsync(cancellationToken) && _settingsRecord.Current is null)
            {
                // Defaults stand in until the next change of settings writes them again.
                LogDamaged(logger, TenantId, "settings");
            }

            try
            {
                await UpgradeCalendarAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not (OutOfMemoryException or DatabaseNotFoundException))
            {
                // Never fatal (the database may be moving, or busy): the next activation tries again.
                LogCalendarUpgradeFailed(logger, exception, TenantId);
            }
        }
        catch (DatabaseNotFoundException)
        {
            // The catalog points at a database that is gone: the tenant answers (nobody's key works)
            // and the operator can delete it.
            LogDamaged(logger, TenantId, $"database {entry.Database} (missing)");
        }
    }

    public async Task<TenantView?> Get()
    {
        if (Entry is null)
        {
            DeactivateOnIdle();
            return null;
        }

        return await ViewAsync();
    }

    public Task<TenantStanding?> Standing() =>
        Task.FromResult(Entry is null ? null : new TenantStanding(Entry.Status, Settings.TimeZone, Entry.Limits, Settings.RequireApproval, Settings.FourEyes, Settings.Threshold, Settings.MinimumChange));

    public Task ChannelsChanged()
    {
        // No DeactivateOnIdle for a missing tenant here: this one-way call can arrive from a channel
        // deleted with its tenant just as the tenant is created again, and would bounce that request.
        _channelCount = null;
        return Task.CompletedTask;
    }

    public async Task<TenantView> Change(Actor actor, TenantChange change)
    {
        var entry = RequireTenant();
        RequireOperator(actor);
        var name = change.Name is null ? entry.Name : TenantInput.Name(change.Name, "name");
        var plan = change.Plan ?? entry.Plan;
        if (!Plans.IsKnown(plan))
        {
            throw DomainException.Invalid("plan", $"plan must be one of: {string.Join(", ", Plans.All)}.");
        }

        var limits = plan != entry.Plan ? Plans.LimitsOf(plan) : entry.Limits;
        if (change.Limits is { } overrides)
        {
            limits = TenantInput.Limits(limits, overrides);
        }

        // Audit (the tenant's database, refused while it moves) before the catalog: a refused change changes nothing.
        await _audit!.WriteAsync(actor, "tenant.changed", TenantId, AuditLog.Success, $"plan {plan}");
        await EntryRecord.UpdateAsync(_ => entry with { Name = name, Plan = plan, Limits = limits });
        return await ViewAsync();
    }

    public async Task<TenantView> ChangeSettings(Actor actor, SettingsChange change)
    {
        var entry = RequireTenant();
        await RequirePermissionAsync(actor, Permissions.TenantManage, "tenant.settings_changed", TenantId);
        var name = change.Name is null ? entry.Name : TenantInput.Name(change.Name, "name");
        var timeZone = TenantInput.TimeZone(change.TimeZone ?? Settings.TimeZone);

        // The tenant's own database first: it is the write a move refuses (503), and a refused
        // change must leave the name in the catalog as it was.
        var threshold = change.AnomalyThreshold is { } t ? TenantInput.Between(t, AnomalySettings.MinThreshold, AnomalySettings.MaxThreshold, "anomalyThreshold") : Settings.AnomalyThreshold;
        var minimumChange = change.AnomalyMinimumChange is { } m ? TenantInput.Between(m, 0, AnomalySettings.MaxMinimumChange, "anomalyMinimumChange") : Settings.AnomalyMinimumChange;
        await SaveSettingsAsync(new SettingsDocument(timeZone, change.RequireApproval ?? Settings.RequireApproval, change.FourEyes ?? Settings.FourEyes, threshold, minimumChange));
        if (name != entry.Name)
        {
            await EntryRecord.UpdateAsync(current => current is null ? null : current with { Name = name });
        }

        await _audit!.WriteAsync(actor, "tenant.settings_changed", TenantId, AuditLog.Success);
        return await ViewAsync();
    }

    public Task<TenantView> Suspend(Actor actor, string reason) => SetStatusAsync(actor, TenantStatus.Suspended, TenantInput.Reason(reason));

    public Task<TenantView> Activate(Actor actor) => SetStatusAsync(actor, TenantStatus.Active, null);

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
        _database = store.GetDatabase(entry.Database);
        _settingsRecord = new(_database.GetCollection(Collections.Settings), TenantDocuments.SettingsId,
            stored => DocumentJson.TryRead<SettingsDocument>(stored) is { TimeZone: not null } read ? read : null);
        _audit = new AuditLog(_database.GetCollection(Collections.Audit), time);
    }

    private void Forget()
    {
        // A fresh record holding nothing: the tenant reads as missing from here on.
        _entryRecord = null;
        _channelCount = null;
        _database = null;
        _audit = null;
        _members.Clear();
        _settingsRecord = null;
    }

    private CatalogEntry RequireTenant() =>
        Entry ?? throw DomainException.NotFound("tenant", $"Tenant '{TenantId}' does not exist.");

    private MemberDocument RequireMember(string memberId) =>
        _members.TryGet(memberId, out var member) ? member : throw DomainException.NotFound("member", $"Member '{memberId}' does not exist.");

    private Task SaveSettingsAsync(SettingsDocument settings) => _settingsRecord!.UpdateAsync(_ => settings);

    private async Task<TenantView> SetStatusAsync(Actor actor, TenantStatus status, string? reason)
    {
        var entry = RequireTenant();
        RequireOperator(actor);
        await _audit!.WriteAsync(actor, status == TenantStatus.Suspended ? "tenant.suspended" : "tenant.activated", TenantId, AuditLog.Success, reason);
        await EntryRecord.UpdateAsync(_ => entry with { Status = status, SuspendedReason = reason });
        return await ViewAsync();
    }

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

        return View(_channelCount.Value, await ScheduledThisMonthAsync());
    }

    private TenantView View(int channels, int scheduledThisMonth = 0)
    {
        var e = Entry!;
        return new TenantView(e.TenantId, e.Name, e.Plan, e.Limits, e.Status, e.SuspendedReason, e.Database, e.Engine, e.CreatedAt,
            Settings.TimeZone, Settings.RequireApproval, new TenantUsage(_members.Count, channels, scheduledThisMonth), Settings.FourEyes)
        {
            AnomalyThreshold = Settings.Threshold,
            AnomalyMinimumChange = Settings.MinimumChange,
        };
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Tenant {TenantId} provisioned in {Database} ({Engine}, isolation {Isolation})")]
    private static partial void LogProvisioned(ILogger logger, string tenantId, string database, string engine, string isolation);

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
