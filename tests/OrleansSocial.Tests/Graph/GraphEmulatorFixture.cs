using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Hosting;
using OrleansSocial.GraphEmulator;
using OrleansSocial.GraphEmulator.Graph;
using OrleansSocial.GraphEmulator.World;

namespace OrleansSocial.Tests.Graph;

/// <summary>
/// A real emulator on a free loopback port and a <see cref="GraphClient"/> from the real DI
/// registration (resilience included) pointed at it. One per test class: faults and limits
/// set by a test stay within its class and are cleared by <see cref="ResetAsync"/>.
/// </summary>
public sealed class GraphEmulatorFixture : IAsyncLifetime
{
    private ServiceProvider? _services;

    public RunningEmulator Emulator { get; private set; } = null!;

    public GraphClient Client { get; private set; } = null!;

    public HttpClient Control { get; private set; } = null!;

    public EmulatorOptions Options => Emulator.State.Options;

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorHost.StartAsync(o =>
        {
            o.Seed = 7;
            o.Users = 2;
            o.PagesPerUser = 3;
            o.PostsPerPage = 60;
            o.MediaPerAccount = 30;
        });
        Control = new HttpClient { BaseAddress = Emulator.BaseUrl };
        (_services, Client) = NewClient();
    }

    public (ServiceProvider Services, GraphClient Client) NewClient(Action<GraphOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddGraphClient(o =>
        {
            o.BaseUrl = Emulator.BaseUrl.ToString();
            o.AppId = Emulator.State.Options.AppId;
            o.AppSecret = Emulator.State.Options.AppSecret;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            o.MaxRetries = 3;
            configure?.Invoke(o);
        });
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<GraphClient>());
    }

    public string UserToken(int user = 0) => Emulator.State.Tokens.UserTokenOf(Emulator.State.World.Users[user]);

    public async Task<string> LongLivedUserTokenAsync(int user = 0) =>
        (await Client.ExchangeForLongLivedTokenAsync(UserToken(user))).Value.AccessToken;

    public async Task<string> PageTokenAsync(string pageId, int user = 0)
    {
        var userToken = await LongLivedUserTokenAsync(user);
        await foreach (var page in Client.GetAccountsAsync(userToken))
        {
            if (page.Items.FirstOrDefault(p => p.Id == pageId) is { } account)
            {
                return account.AccessToken!;
            }
        }

        throw new InvalidOperationException($"User {user} has no page {pageId}.");
    }

    public string PageId(int index) => (EmulatorWorld.PageBase + index).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string InstagramId(int index) => (EmulatorWorld.InstagramBase + index).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async Task FaultAsync(Fault fault) => (await Control.PostAsJsonAsync("/__emulator/faults", fault)).EnsureSuccessStatusCode();

    public long CallsTo(string objectId) => Emulator.State.Log.CountFor(objectId);

    public async Task ResetAsync()
    {
        Emulator.State.Faults.Clear();
        Emulator.State.Buckets.AppCallsPerHour = Options.AppCallsPerHour;
        Emulator.State.Buckets.PageCallsPerDay = Options.PageCallsPerDay;
        Emulator.State.Buckets.InstagramCallsPerDay = Options.InstagramCallsPerDay;
        Emulator.State.Buckets.Reset();
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Control.Dispose();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        await Emulator.DisposeAsync();
    }
}
