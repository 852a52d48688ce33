using Microsoft.Extensions.Options;
using OrleansSocial.Graph;
using OrleansSocial.GraphEmulator;

namespace OrleansSocial.Host.GraphBackend;

/// <summary>
/// The default profile's Graph backend: when <c>Graph:BaseUrl</c> is not configured, the host
/// starts the Graph API emulator in-process on a loopback port of its own and points the Graph
/// client at it (our machines have no internet). With <c>Graph:BaseUrl</c> set, nothing starts.
/// Its world and its tokens derive from its seed, so channels connected through it keep working
/// after the host restarts. Its address changes with every start; the host writes it to
/// <c>{Data:Path}/emulator-url</c>, so the walkthroughs read it instead of a placeholder.
/// </summary>
internal sealed partial class EmbeddedGraphEmulator(IConfiguration configuration, IOptions<OrleansSocial.Api.Configuration.DataOptions> data, ILogger<EmbeddedGraphEmulator> logger) : IHostedService, IAsyncDisposable
{
    public const string AddressFile = "emulator-url";

    private readonly Lock _gate = new();
    private RunningEmulator? _running;

    public bool Enabled => string.IsNullOrWhiteSpace(configuration[$"{GraphOptions.Section}:BaseUrl"]);

    /// <summary>
    /// Where the emulator listens. It starts on first need (the Graph client's options ask before
    /// hosted services start), on port 0, so the address is the one the system gave it.
    /// </summary>
    public Uri BaseUrl
    {
        get
        {
            lock (_gate)
            {
                _running ??= StartEmulator();
                return _running.BaseUrl;
            }
        }
    }

    public EmulatorOptions Options { get; } = Bind(configuration);

    /// <summary>
    /// The verify token of this process's webhook subscription with the emulator: the configured one, a
    /// random one when none is configured, none when it is configured empty (webhooks off: channels poll).
    /// </summary>
    public string VerifyToken { get; } = configuration[$"{GraphOptions.Section}:WebhookVerifyToken"]
        ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>The running emulator's world, clock, limits and settings (the options it started with are a copy).</summary>
    public EmulatorState State
    {
        get
        {
            _ = BaseUrl;
            return _running!.State;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Enabled)
        {
            LogStarted(logger, BaseUrl);
            WriteAddressFile();
        }

        return Task.CompletedTask;
    }

    private void WriteAddressFile()
    {
        var folder = data.Value.FullPath;
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, AddressFile);
        // Whole or not at all: a reader never sees half an address.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, BaseUrl.ToString().TrimEnd('/') + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_running is not null)
        {
            await _running.DisposeAsync();
        }
    }

    private RunningEmulator StartEmulator() =>
        // Blocking once, at start: options are resolved synchronously.
        EmulatorHost.StartAsync(o => configuration.GetSection(EmulatorOptions.Section).Bind(o)).GetAwaiter().GetResult();

    private static EmulatorOptions Bind(IConfiguration configuration)
    {
        var options = new EmulatorOptions();
        configuration.GetSection(EmulatorOptions.Section).Bind(options);
        return options;
    }

    /// <summary>Points the Graph client at the embedded emulator unless Graph:BaseUrl says otherwise.</summary>
    public sealed class ConfigureGraph(EmbeddedGraphEmulator emulator) : IPostConfigureOptions<GraphOptions>
    {
        public void PostConfigure(string? name, GraphOptions options)
        {
            if (!emulator.Enabled)
            {
                return;
            }

            options.BaseUrl = emulator.BaseUrl.ToString().TrimEnd('/');
            options.AppId = emulator.Options.AppId;
            options.AppSecret = emulator.Options.AppSecret;
            options.InstagramBaseUrl = $"{options.BaseUrl}/{RunningEmulator.InstagramHostPrefix}";
            options.InstagramAppId = emulator.Options.InstagramAppId;
            options.InstagramAppSecret = emulator.Options.InstagramAppSecret;
            options.WebhookVerifyToken = emulator.VerifyToken;
        }
    }

    /// <summary>The webhook receiver checks what the embedded emulator signs and verifies with.</summary>
    public sealed class ConfigureMetaWebhooks(EmbeddedGraphEmulator emulator) : IPostConfigureOptions<OrleansSocial.Api.Meta.MetaWebhookOptions>
    {
        public void PostConfigure(string? name, OrleansSocial.Api.Meta.MetaWebhookOptions options)
        {
            if (!emulator.Enabled)
            {
                return;
            }

            options.AppSecret = emulator.Options.AppSecret;
            options.WebhookVerifyToken = emulator.VerifyToken;
        }
    }

    [LoggerMessage(EventId = 160, Level = LogLevel.Warning,
        Message = "Graph:BaseUrl is not set: the embedded Graph API emulator (not the API) serves Facebook and Instagram at {BaseUrl} (its world: {BaseUrl}__emulator/world)")]
    private static partial void LogStarted(ILogger logger, Uri baseUrl);
}
