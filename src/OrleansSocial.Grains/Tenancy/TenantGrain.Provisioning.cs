using Microsoft.Extensions.Logging;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Grains.Tenancy.Rules;
using OrleansSocial.Tenancy;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Catalog;

namespace OrleansSocial.Grains.Tenancy;

/// <summary>Provisioning (catalog entry first, then the database, all or nothing, recovered after a crash) and deletion, which always completes.</summary>
public sealed partial class TenantGrain
{
    public async Task<ProvisionedTenant> Provision(ProvisionTenant command)
    {
        if (!StorageNames.TenantIdPattern().IsMatch(TenantId))
        {
            throw DomainException.Invalid("id", "id: a tenant id is 3-40 characters of a-z, 0-9 and '-', starting with a letter or digit.");
        }

        var name = TenantInput.Name(command.Name, "name");
        var plan = Plans.IsKnown(command.Plan) ? command.Plan : throw DomainException.Invalid("plan", $"plan must be one of: {string.Join(", ", Plans.All)}.");
        var ownerEmail = TenantInput.Email(command.OwnerEmail, "ownerEmail");
        var isolation = command.Isolation is null ? isolations.Value.DefaultFor(plan, store.Isolations)
            : store.Isolations.Contains(command.Isolation) ? command.Isolation
            : throw DomainException.Invalid("isolation", $"isolation must be one of: {string.Join(", ", store.Isolations)} (what the {store.Engine} tenant store offers).");
        if (Entry is not null)
        {
            throw new DomainException(ProblemKind.Conflict, $"Tenant '{TenantId}' already exists.");
        }

        var entry = new CatalogEntry(TenantId, name, plan, Plans.LimitsOf(plan), TenantStatus.Active, null,
            StorageNames.TenantDatabase(TenantId), store.Engine, time.GetUtcNow(), CatalogEntry.Provisioning);
        if (!await EntryRecord.InsertAsync(entry))
        {
            throw new DomainException(ProblemKind.Conflict, $"Tenant '{TenantId}' already exists.");
        }

        var step = "database";
        var createdDatabase = false;
        try
        {
            Attach(entry);
            var (owner, created) = NewMember(ownerEmail, Roles.Owner, []);
            var settings = Settings;
            // Made with the database (in its transaction where the engine can): one round trip, not five.
            FirstDocument[] first =
            [
                new(Collections.Settings, TenantDocuments.SettingsId, DocumentJson.ToJson(settings)),
                CalendarCurrent(),
                new(Collections.Members, owner.MemberId, DocumentJson.ToJson(owner)),
                _audit!.First(Actor.Operator, "tenant.provisioned", TenantId, AuditLog.Success, $"plan {plan}"),
                _audit.First(Actor.Operator, "member.added", owner.MemberId, AuditLog.Success, "role owner"),
            ];
            await store.CreateDatabaseAsync(entry.Database, isolation, first, CancellationToken.None);
            createdDatabase = true;
            _settingsRecord!.Written(settings);
            _members.Put(owner);

            step = "indexes";
            await EnsureIndexesAsync(TenantDocuments.TenantIndexes);

            step = "activate";
            await EntryRecord.UpdateAsync(_ => entry with { State = CatalogEntry.Ready });
            LogProvisioned(logger, TenantId, entry.Database, entry.Engine, isolation);
            return new ProvisionedTenant(View(channels: 0) with { Isolation = isolation }, created);
        }
        catch (Exception exception) when (exception is not DomainException)
        {
            LogProvisioningFailed(logger, exception, TenantId, step);
            await RollBackProvisioningAsync(entry, createdDatabase);
            if (exception is StoragePrivilegeException privilege)
            {
                throw new DomainException(ProblemKind.Unavailable,
                    $"Provisioning failed at step '{step}': {privilege.Message} Grant it to the engine's user (see the README); everything this attempt created was removed.", privilege.Privilege);
            }

            var reason = exception is DatabaseAlreadyExistsException ? "the tenant's database already exists" : "the storage engine refused it";
            throw new DomainException(ProblemKind.StepFailed,
                $"Provisioning failed at step '{step}' ({reason}); everything it had created was removed.", step);
        }
    }

    /// <summary>
    /// Always completes for a tenant the catalog knows, whatever state its data is in: channels are
    /// told to stop (one that fails is logged, not fatal), the database is dropped if it exists, the
    /// catalog entry goes last.
    /// </summary>
    public async Task Delete(Actor actor)
    {
        if (Entry is null && (!StorageNames.TenantIdPattern().IsMatch(TenantId) || await CatalogTenants.GetAsync(TenantId, CancellationToken.None) is null))
        {
            throw DomainException.NotFound("tenant", $"Tenant '{TenantId}' does not exist.");
        }

        RequireOperator(actor);
        var database = Entry?.Database ?? StorageNames.TenantDatabase(TenantId);
        await DisconnectChannelsAsync(database);
        // Whatever a failed disconnect left in the account directory: no notification is routed to a deleted tenant.
        await new OrleansSocial.Grains.Inbox.AccountDirectory(store).RemoveTenantAsync(TenantId, CancellationToken.None);
        await OrleansSocial.Grains.Operations.OperatorBoard.RemoveTenantAsync(store, TenantId, CancellationToken.None);
        try
        {
            if (await store.DatabaseExistsAsync(database, CancellationToken.None))
            {
                await store.DropDatabaseAsync(database, CancellationToken.None);
            }
        }
        catch (StoragePrivilegeException privilege)
        {
            // Nothing is half-deleted: the catalog entry stays until the database can go.
            throw new DomainException(ProblemKind.Unavailable, $"The tenant was not deleted: {privilege.Message} Grant it to the engine's user (see the README), then delete again.", privilege.Privilege);
        }

        await EntryRecord.DeleteAsync();
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
            await EntryRecord.DeleteAsync();
            Forget();
        }
    }
}
