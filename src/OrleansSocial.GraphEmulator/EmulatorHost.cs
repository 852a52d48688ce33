using Microsoft.Extensions.Options;
using OrleansSocial.GraphEmulator.Control;
using OrleansSocial.GraphEmulator.Graph;

namespace OrleansSocial.GraphEmulator;

/// <summary>Composition of the emulator, shared by its own Main, tests, benchmarks and the API silo's default profile.</summary>
public static class EmulatorHost
{
    public static WebApplicationBuilder AddGraphEmulator(this WebApplicationBuilder builder, Action<EmulatorOptions>? configure = null)
    {
        var options = builder.Services.AddOptions<EmulatorOptions>().BindConfiguration(EmulatorOptions.Section);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new EmulatorState(services.GetRequiredService<IOptions<EmulatorOptions>>().Value, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<GraphDispatcher>();
        builder.Services.AddHostedService<Webhooks.WebhookSender>();
        return builder;
    }

    public static WebApplication MapGraphEmulator(this WebApplication app)
    {
        ControlApi.Map(app);
        app.Map("/{**path}", (HttpContext context, GraphDispatcher dispatcher, EmulatorState state) => GraphHttp.HandleAsync(context, dispatcher, state));
        return app;
    }

    /// <summary>Starts an emulator on a loopback URL (port 0 picks a free one); dispose to stop it.</summary>
    public static async Task<RunningEmulator> StartAsync(Action<EmulatorOptions>? configure = null, string url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        // Quiet beside a host: the host's appsettings (read from the same content root) would otherwise
        // print this emulator's "Now listening on" and lifetime lines as if it were the API.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddGraphEmulator(configure);
        var app = builder.Build();
        app.MapGraphEmulator();
        await app.StartAsync();
        var address = app.Urls.First();
        return new RunningEmulator(app, new Uri(address), app.Services.GetRequiredService<EmulatorState>());
    }
}

public sealed class RunningEmulator(WebApplication app, Uri baseUrl, EmulatorState state) : IAsyncDisposable
{
    /// <summary>The path under which the emulator serves the Instagram Login host (graph.instagram.com).</summary>
    public const string InstagramHostPrefix = GraphHttp.InstagramHostName;

    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>Where a client's Instagram Login base URL points (<c>Graph:InstagramBaseUrl</c>).</summary>
    public Uri InstagramBaseUrl => new($"{BaseUrl.ToString().TrimEnd('/')}/{InstagramHostPrefix}");

    public EmulatorState State { get; } = state;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
