using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OrleansSocial.Graph;
using OrleansSocial.Host.GraphBackend;

namespace OrleansSocial.Host.Inbox;

/// <summary>
/// Registers this deployment's <c>/webhooks/meta</c> as the app's callback for Page <c>feed</c> and
/// Instagram <c>comments</c> once the host serves requests (Meta's handshake calls back before it
/// saves). The address is <c>Graph:WebhookCallbackUrl</c>, or with the embedded emulator this host's
/// own. Without a verify token, or without an address, nothing is registered and channels poll.
/// </summary>
internal sealed partial class MetaWebhookRegistration(
    IHostApplicationLifetime lifetime, IServer server, GraphClient graph, IOptions<GraphOptions> options, EmbeddedGraphEmulator emulator, ILogger<MetaWebhookRegistration> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = RegisterAsync(lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!graph.WebhooksConfigured || (settings.WebhookCallbackUrl ?? OwnCallback()) is not { } callback)
        {
            LogNotRegistered(logger);
            return;
        }

        try
        {
            await graph.SubscribeAppAsync("page", callback, settings.WebhookVerifyToken!, ["feed"], cancellationToken);
            await graph.SubscribeAppAsync("instagram", callback, settings.WebhookVerifyToken!, ["comments"], cancellationToken);
            LogRegistered(logger, callback);
        }
        catch (Exception exception) when (exception is GraphException or InvalidOperationException)
        {
            LogFailed(logger, exception.Message);
        }
    }

    /// <summary>With the embedded emulator, this host's own address (a wildcard bind is reached on loopback).</summary>
    private string? OwnCallback()
    {
        if (!emulator.Enabled || server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is not { } address)
        {
            return null;
        }

        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "127.0.0.1";
        }

        uri.Path = "/webhooks/meta";
        return uri.Uri.ToString();
    }

    [LoggerMessage(EventId = 170, Level = LogLevel.Information, Message = "Meta webhooks: callback {Callback} registered for Page feed and Instagram comments")]
    private static partial void LogRegistered(ILogger logger, string callback);

    [LoggerMessage(EventId = 171, Level = LogLevel.Information,
        Message = "Meta webhooks: no Graph:WebhookVerifyToken or Graph:WebhookCallbackUrl, so no callback is registered; channels poll their comments")]
    private static partial void LogNotRegistered(ILogger logger);

    [LoggerMessage(EventId = 172, Level = LogLevel.Warning, Message = "Meta webhooks: registering the callback failed ({Reason}); channels poll their comments until it is registered")]
    private static partial void LogFailed(ILogger logger, string reason);
}
