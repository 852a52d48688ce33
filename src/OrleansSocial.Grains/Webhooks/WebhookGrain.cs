using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSocial.Grains.Operations;
using OrleansSocial.Grains.Records;
using OrleansSocial.Grains.Secrets;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Operations;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Naming;
using OrleansSocial.Tenancy;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Grains.Webhooks;

/// <summary>
/// One endpoint: its record in the tenant's <c>webhooks</c>, and the delivery of what waits for it in
/// <c>webhook_deliveries</c>, one request at a time (a slow receiver delays only itself), off every
/// request path. Temporary failures are retried after <see cref="WebhookOptions.RetryDelays"/>; a
/// reminder ticks while deliveries wait, so a silo's death loses none. Deliveries that end failed in a
/// row disable the endpoint, which is audited and announced to the tenant's other endpoints.
/// </summary>
public sealed partial class WebhookGrain(
    IDocumentStore store, TokenProtector protector, IHttpClientFactory clients, IOptions<WebhookOptions> options, TimeProvider time, OperatorBoard board, ILogger<WebhookGrain> logger)
    : Grain, IWebhookGrain, IRemindable
{
    // The operator board's row as this activation last wrote it, and what the delivery loop last found waiting.
    private BoardRow? _boardRow;
    private (int Count, DateTimeOffset? Oldest) _waiting;

    private const string RetryReminder = "retry";

    // The one writer of the endpoint's record: requests and the delivery loop change it through this.
    private Records.TenantRecord<WebhookDocument>? _record;
    private Task? _delivering;
    private bool _wokenWhileDelivering;

    // Whether the retry reminder is known to exist (true) or not (false) in this activation; null: not known.
    private bool? _reminderKnown;

    private WebhookOptions Options => options.Value;

    private (string TenantId, string WebhookId) Key => TenantScope.Of(this.GetPrimaryKeyString());

    private IDocumentDatabase Database => TenantScope.Of(this.GetPrimaryKeyString()).Database(store);

    private IDocumentCollection Webhooks => Database.GetCollection(Collections.Webhooks);

    private IDocumentCollection Deliveries => Database.GetCollection(Collections.WebhookDeliveries);

    private Records.TenantRecord<WebhookDocument> Record => _record ??= new(Webhooks, Key.WebhookId, WebhookDocument.TryRead);

    private WebhookDocument? Current => Record.Current;

    private ITenantGrain Tenant => GrainFactory.GetGrain<ITenantGrain>(Key.TenantId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await Record.LoadAsync(cancellationToken))
            {
                await RelayKeptAsync();
                await KeepBoardRowAsync(await PendingAsync());
            }
        }
        catch (DatabaseNotFoundException)
        {
            // The tenant is gone; so is every endpoint of it.
        }
    }

    public async Task<WebhookWithSecret> Create(Actor actor, string url, IReadOnlyList<string> events)
    {
        if (Current is not null)
        {
            throw new DomainException(ProblemKind.Conflict, $"Webhook '{Key.WebhookId}' exists.");
        }

        await CheckUrlAsync(url);
        var subscribed = CheckEvents(events);
        await Tenant.AdmitWebhook(Key.WebhookId, Options.MaxEndpoints);

        var now = time.GetUtcNow();
        var secret = NewSecret();
        var webhook = (await Record.UpdateAsync(current => current is null
            ? new WebhookDocument(Key.WebhookId, url, subscribed, protector.Protect(secret, Key.TenantId, SecretContext), true, null, 0, now, now)
            : throw new DomainException(ProblemKind.Conflict, $"Webhook '{Key.WebhookId}' exists.")))!;
        await KeepBoardRowAsync();
        await Tenant.RecordAudit(actor, "webhook.created", Key.WebhookId, "success", string.Join(',', subscribed));
        return new WebhookWithSecret(webhook.ToView(), secret);
    }

    public Task<WebhookView?> Get()
    {
        if (Current is null)
        {
            DeactivateOnIdle();
        }

        return Task.FromResult(Current?.ToView());
    }

    public async Task<WebhookView> Change(Actor actor, WebhookChange change)
    {
        Require();
        if (change.Url is { } url)
        {
            await CheckUrlAsync(url);
        }

        var subscribed = change.Events is { } events ? CheckEvents(events) : null;
        var enabling = false;
        // From the latest record: the delivery loop may have counted a failure since this request began.
        var changed = (await Record.UpdateAsync(current =>
        {
            var latest = Present(current);
            enabling = change.Enabled == true && !latest.Enabled;
            return latest with
            {
                Url = change.Url ?? latest.Url,
                Events = subscribed ?? latest.Events,
                Enabled = change.Enabled ?? latest.Enabled,
                DisabledReason = change.Enabled == true ? null : change.Enabled == false ? "disabled by a member" : latest.DisabledReason,
                ConsecutiveFailures = enabling ? 0 : latest.ConsecutiveFailures,
                UpdatedAt = time.GetUtcNow(),
            };
        }))!;
        await KeepBoardRowAsync();
        await Tenant.RecordAudit(actor, "webhook.changed", Key.WebhookId, "success", null);
        if (enabling)
        {
            StartDelivering();
        }

        return changed.ToView();
    }

    public async Task Delete(Actor actor)
    {
        Require();
        await Record.DeleteAsync();
        await board.RemoveAsync(BoardRow.EndpointKind, Key.TenantId, Key.WebhookId);
        _boardRow = null;
        await Deliveries.DeleteManyAsync([FieldFilter.Eq("webhookId", Key.WebhookId)], CancellationToken.None);
        if (await this.GetReminder(RetryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        _reminderKnown = false;

        await Tenant.RecordAudit(actor, "webhook.deleted", Key.WebhookId, "success", null);
        DeactivateOnIdle();
    }

    public async Task<WebhookWithSecret> RotateSecret(Actor actor)
    {
        Require();
        var secret = NewSecret();
        var rotated = (await Record.UpdateAsync(current => Present(current) with { Secret = protector.Protect(secret, Key.TenantId, SecretContext), UpdatedAt = time.GetUtcNow() }))!;
        await Tenant.RecordAudit(actor, "webhook.secret_rotated", Key.WebhookId, "success", null);
        return new WebhookWithSecret(rotated.ToView(), secret);
    }

    public async Task<WebhookDeliveryView> Test(Actor actor)
    {
        Require();
        var now = time.GetUtcNow();
        var @event = WebhookEvent.Create(WebhookEventTypes.WebhookTest, Key.TenantId, now, new WebhookTestData(Key.WebhookId, actor.ToString()));
        await WebhookOutbox.RelayAsync(GrainFactory, Database, [@event], now, Key.WebhookId);
        return DocumentJson.FromJson<DeliveryDocument>((await Deliveries.GetAsync(DeliveryDocument.IdOf(@event.Id, Key.WebhookId), CancellationToken.None))!.Value).ToView();
    }

    public async Task<WebhookDeliveryView> Redeliver(Actor actor, string deliveryId)
    {
        Require();
        var delivery = await Deliveries.GetAsync(deliveryId, CancellationToken.None) is { } stored && DocumentJson.TryRead<DeliveryDocument>(stored) is { WebhookId: var owner } read && owner == Key.WebhookId
            ? read
            : throw DomainException.NotFound("delivery", $"Delivery '{deliveryId}' does not exist.");
        var again = delivery with { Status = DeliveryDocument.Pending, Attempts = 0, NextAttemptAt = time.GetUtcNow(), LastError = null };
        await SaveDeliveryAsync(again);
        await Tenant.RecordAudit(actor, "webhook.redelivered", Key.WebhookId, "success", deliveryId);
        StartDelivering();
        return again.ToView();
    }

    public Task Wake()
    {
        StartDelivering();
        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Current is null)
        {
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            DeactivateOnIdle();
            return;
        }

        StartDelivering();
    }

    private void StartDelivering()
    {
        if (Current is null)
        {
            return;
        }

        if (_delivering is { IsCompleted: false })
        {
            _wokenWhileDelivering = true;
            return;
        }

        _delivering = DeliverAsync();
    }

    /// <summary>Works through what is due, oldest first, until nothing is; then the reminder waits for the next retry.</summary>
    private async Task DeliverAsync()
    {
        await Task.Yield();
        try
        {
            while (Current is { Enabled: true } webhook)
            {
                _wokenWhileDelivering = false;
                var pending = await PendingAsync();
                await KeepBoardRowAsync(pending);
                // Before any attempt: while something waits, a reminder exists, so a silo's death mid-wait loses nothing.
                await KeepReminderAsync(pending.Count > 0);
                var now = time.GetUtcNow();
                var due = pending.Where(d => d.NextAttemptAt is null || d.NextAttemptAt <= now).OrderBy(d => d.CreatedAt).ThenBy(d => d.DeliveryId, StringComparer.Ordinal).ToList();
                foreach (var delivery in due)
                {
                    if (Current is not { Enabled: true })
                    {
                        break;
                    }

                    await AttemptAsync(Current, delivery);
                }

                if (due.Count > 0 || _wokenWhileDelivering)
                {
                    continue;
                }

                var next = pending.Select(d => d.NextAttemptAt).Where(t => t is not null).Min();
                if (next is { } at && at - time.GetUtcNow() <= Options.ReminderPeriod)
                {
                    await Task.Delay(at - time.GetUtcNow() > TimeSpan.Zero ? at - time.GetUtcNow() : TimeSpan.Zero, time);
                    continue;
                }

                await KeepReminderAsync(pending.Count > 0);
                return;
            }

            await KeepReminderAsync(false);
        }
        catch (Exception exception)
        {
            LogDeliveryError(logger, exception, Key.TenantId, Key.WebhookId);
        }
    }

    private async Task AttemptAsync(WebhookDocument webhook, DeliveryDocument delivery)
    {
        var now = time.GetUtcNow();
        var attempt = delivery.Attempts + 1;
        int? code = null;
        string? excerpt = null;
        string? error = null;
        TimeSpan? retryAfter = null;
        bool? temporary;
        try
        {
            // One bound for the whole attempt (connect, headers, the excerpt of the body): a receiver that
            // sends its headers and then nothing cannot hold the endpoint's deliveries.
            using var attemptTimeout = new CancellationTokenSource(Options.Timeout);
            using var request = Sign(webhook, delivery, now);
            using var response = await clients.CreateClient(WebhookHttp.ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptTimeout.Token);
            code = (int)response.StatusCode;
            excerpt = await ExcerptAsync(response, attemptTimeout.Token);
            retryAfter = response.Headers.RetryAfter is { } header ? header.Delta ?? (header.Date - now) : null;
            temporary = response.IsSuccessStatusCode ? null
                : code is 408 or 429 || code >= 500 ? true
                : false;
        }
        catch (Exception exception) when (WebhookHttp.RefusedAddress(exception) is { } refused)
        {
            // The guard refused the address at connect: it will refuse it again, so no retry.
            (error, temporary) = (refused.Message, false);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException)
        {
            (error, temporary) = (exception is OperationCanceledException ? $"no complete answer within {Options.Timeout.TotalSeconds:0.#} s" : exception.Message, true);
        }

        var attempted = delivery with { Attempts = attempt, LastAttemptAt = now, LastResponseCode = code, LastResponseExcerpt = excerpt, LastError = error };
        if (temporary is null)
        {
            await SaveDeliveryAsync(attempted with { Status = DeliveryDocument.Succeeded, NextAttemptAt = null });
            if (webhook.ConsecutiveFailures > 0)
            {
                await Record.UpdateAsync(current => current is null ? null : current with { ConsecutiveFailures = 0 });
            }

            return;
        }

        if (temporary == true && attempt <= Options.EffectiveRetryDelays.Count)
        {
            var wait = Options.EffectiveRetryDelays[attempt - 1] * (0.8 + (Random.Shared.NextDouble() * 0.4));
            // A receiver's Retry-After is honoured up to a cap: a date in year 9999 must not park a delivery forever.
            var next = now + (retryAfter is { } asked && asked > wait ? (asked < Options.MaxRetryAfter ? asked : Options.MaxRetryAfter) : wait);
            await SaveDeliveryAsync(attempted with { NextAttemptAt = next });
            return;
        }

        await SaveDeliveryAsync(attempted with { Status = DeliveryDocument.Failed, NextAttemptAt = null });
        LogDeliveryFailed(logger, Key.TenantId, Key.WebhookId, delivery.DeliveryId, attempt, code, error);
        var failures = 0;
        await Record.UpdateAsync(current => current is null ? null : current with { ConsecutiveFailures = failures = current.ConsecutiveFailures + 1 });
        if (failures >= Options.DisableAfterFailedDeliveries)
        {
            await DisableAsync(failures);
        }
    }

    /// <summary>Too many deliveries in a row ended failed: off, audited, and announced to the tenant's other endpoints.</summary>
    private async Task DisableAsync(int failures)
    {
        var now = time.GetUtcNow();
        var reason = $"{failures} deliveries in a row failed";
        var @event = WebhookEvent.Create(WebhookEventTypes.WebhookDisabled, Key.TenantId, now, new WebhookDisabledData(Key.WebhookId, Require().Url, reason));
        // The event rides in the write that disables: a crash before the relay leaves it for the next activation.
        await Record.UpdateAsync(current => Present(current) with
        {
            Enabled = false, DisabledReason = reason, ConsecutiveFailures = failures, UpdatedAt = now, Outbox = [.. current!.Outbox ?? [], @event],
        });
        LogDisabled(logger, Key.TenantId, Key.WebhookId, failures);
        await KeepBoardRowAsync();
        await Tenant.RecordAudit(Actor.System, "webhook.disabled", Key.WebhookId, "flagged", reason);
        await RelayKeptAsync();
    }

    /// <summary>The endpoint as the operator overview counts it: enabled or disabled, and what waits for it (as last found, or <paramref name="pending"/>).</summary>
    private async Task KeepBoardRowAsync(List<DeliveryDocument>? pending = null)
    {
        if (pending is not null)
        {
            _waiting = (pending.Count, pending.Count == 0 ? null : pending.Min(d => d.CreatedAt));
        }

        if (Current is { } webhook)
        {
            _boardRow = await board.KeepAsync(_boardRow, new(BoardRow.EndpointKind, Key.TenantId, Key.WebhookId, webhook.Enabled ? "enabled" : "disabled", _waiting.Oldest, Waiting: _waiting.Count));
        }
    }

    /// <summary>
    /// Events written with this endpoint's change (its disabling): handed to the tenant's other
    /// endpoints after the write. A crash before that leaves them in the record, and the next activation
    /// (the retry reminder, or any request) hands them over: relaying twice changes nothing. This
    /// endpoint is disabled when it has any, so the relay never calls back into it.
    /// </summary>
    private Task RelayKeptAsync() =>
        Record.TryRelayAsync(GrainFactory, Database, time.GetUtcNow(), (exception, count) => LogRelayFailed(logger, exception, Key.TenantId, Key.WebhookId, count));

    private HttpRequestMessage Sign(WebhookDocument webhook, DeliveryDocument delivery, DateTimeOffset now)
    {
        var secret = protector.Unprotect(webhook.Secret, Key.TenantId, SecretContext);
        var signature = new StandardWebhooks.StandardWebhook(secret).Sign(delivery.EventId, now, delivery.Body);
        var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new StringContent(delivery.Body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", delivery.EventId);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature);
        request.Headers.UserAgent.ParseAdd("OrleansSocial-Webhooks/1");
        return request;
    }

    private async Task<string?> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Only the first bytes are read: a receiver cannot make us hold a large answer.
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[Options.ExcerptBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        return read == 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    private async Task<List<DeliveryDocument>> PendingAsync()
    {
        var page = await Deliveries.QueryAsync(new DocumentQuery { Filters = [FieldFilter.Eq("webhookId", Key.WebhookId), FieldFilter.Eq("status", DeliveryDocument.Pending)], Limit = 200 }, CancellationToken.None);
        return [.. page.Items.Select(i => DocumentJson.TryRead<DeliveryDocument>(i.Body)).Where(d => d is { DeliveryId: not null, Body: not null, EventId: not null }).Select(d => d!)];
    }

    private async Task KeepReminderAsync(bool waiting)
    {
        if (_reminderKnown == waiting)
        {
            return;
        }

        var existing = await this.GetReminder(RetryReminder);
        if (waiting && existing is null)
        {
            await this.RegisterOrUpdateReminder(RetryReminder, Options.ReminderPeriod, Options.ReminderPeriod);
        }
        else if (!waiting && existing is not null)
        {
            await this.UnregisterReminder(existing);
        }

        _reminderKnown = waiting;
    }

    private async Task CheckUrlAsync(string url)
    {
        if (WebhookAddresses.UrlProblem(url, Options.AllowPrivateNetworks) is { } problem)
        {
            throw DomainException.Invalid("url", problem);
        }

        if (Options.AllowPrivateNetworks)
        {
            return;
        }

        var host = new Uri(url).Host.Trim('[', ']');
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host);
        }
        catch (System.Net.Sockets.SocketException)
        {
            throw DomainException.Invalid("url", $"The host '{host}' does not resolve.");
        }

        if (addresses.Select(WebhookAddresses.Refusal).FirstOrDefault(r => r is not null) is { } refusal)
        {
            throw DomainException.Invalid("url", $"url must not point to {refusal}.");
        }
    }

    private static IReadOnlyList<string> CheckEvents(IReadOnlyList<string> events)
    {
        if (events.Count == 0)
        {
            throw DomainException.Invalid("events", "Subscribe to at least one event.");
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (!WebhookEventTypes.All.Contains(events[i]))
            {
                throw DomainException.Invalid($"events[{i}]", $"events[{i}] must be one of: {string.Join(", ", WebhookEventTypes.All)}.");
            }
        }

        return [.. events.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Standard Webhooks' secret form: <c>whsec_</c> and 32 random bytes in base64.</summary>
    private static string NewSecret() => "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private string SecretContext => "webhook:" + Key.WebhookId;

    private WebhookDocument Require() => Present(Current);

    private WebhookDocument Present(WebhookDocument? webhook) => webhook ?? throw DomainException.NotFound("webhook", $"Webhook '{Key.WebhookId}' does not exist.");

    private Task SaveDeliveryAsync(DeliveryDocument delivery) =>
        Deliveries.UpsertAsync(delivery.DeliveryId, DocumentJson.ToJson(delivery), CancellationToken.None);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Webhook {WebhookId} of tenant {TenantId}: {Count} event(s) kept in its record could not be handed over yet; its next activation tries again")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception, string tenantId, string webhookId, int count);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Webhook {WebhookId} of tenant {TenantId}: delivery {DeliveryId} failed after {Attempts} attempt(s) (HTTP {Code}, {Error})")]
    private static partial void LogDeliveryFailed(ILogger logger, string tenantId, string webhookId, string deliveryId, int attempts, int? code, string? error);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Webhook {WebhookId} of tenant {TenantId} is disabled after {Failures} failed deliveries in a row")]
    private static partial void LogDisabled(ILogger logger, string tenantId, string webhookId, int failures);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Delivering for webhook {WebhookId} of tenant {TenantId} stopped on an error; its reminder brings it back")]
    private static partial void LogDeliveryError(ILogger logger, Exception exception, string tenantId, string webhookId);
}
