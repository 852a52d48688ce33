using Microsoft.Extensions.DependencyInjection;

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>One embedded API silo with a known operator key, shared by the tests of a class.</summary>
public class TenancyHost : IAsyncLifetime
{
    public const string OperatorKey = "test-operator-key-tenancy-0123456789abcdef";
    private readonly TempFolder _data = new();
    private HttpClient? _emulator;

    public ApiHost Host { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public string DataPath => _data.Path;

    /// <summary>The embedded Graph emulator the host started, for its control routes (faults, publications, log).</summary>
    public HttpClient Emulator => _emulator ??= new HttpClient
    {
        BaseAddress = new Uri(Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OrleansSocial.Graph.GraphOptions>>().Value.BaseUrl),
    };

    /// <summary>The host registers its <c>/webhooks/meta</c> with the emulator once it serves: waits until it has (hosts with Meta's webhooks configured).</summary>
    public Task MetaCallbackRegisteredAsync() =>
        Eventually.UntilAsync(async () => (await Emulator.GetStringAsync("/__emulator/webhooks/subscriptions")).Contains("/webhooks/meta", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));

    /// <summary>Settings a fixture adds to the host's configuration.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>();

    /// <summary>Changes a fixture makes to the host's services after its own (say, a grain call filter that fails chosen calls).</summary>
    protected virtual Action<IServiceCollection>? ExtraServices => null;

    public virtual Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(ExtraSettings) { ["Operator:ApiKey"] = OperatorKey };
        Host = new ApiHost(_data.Path, settings, ExtraServices);
        Api = new ApiClient(Host.CreateHttpClient(), OperatorKey);
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        _emulator?.Dispose();
        Api.Http.Dispose();
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }
}
