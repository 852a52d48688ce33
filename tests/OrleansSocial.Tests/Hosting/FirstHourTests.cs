using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.GraphEmulator.World;
using OrleansSocial.Tests.Cluster;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hosting;

/// <summary>What a newcomer meets on the default profile: the real host process, its log, a restart.</summary>
public sealed class FirstHourTests
{
    private const string OperatorKey = "first-hour-operator-key-0123456789abcdef";

    [Fact]
    public async Task Channels_connected_through_the_embedded_emulator_still_sync_after_the_host_restarts()
    {
        using var data = new TempFolder("orleans-social-firsthour");
        var settings = new Dictionary<string, string> { ["Operator:ApiKey"] = OperatorKey, ["Data:Path"] = data.Path, ["Sync:InitialSyncWindow"] = "1.00:00:00" };
        string key;
        await using (var first = SiloProcess.Start(data.Path, settings, logLevels: true))
        {
            await first.WaitReadyAsync(TimeSpan.FromSeconds(90));
            using var http = Client(first);
            var created = await http.PostAsJsonAsync("/admin/tenants", new { id = "first-hour", name = "First Hour", plan = "pro", ownerEmail = "o@first.test" });
            key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ownerApiKey").GetString()!;
            var connected = await Send(http, HttpMethod.Post, "/api/channels/facebook", key, new { userAccessToken = TokenStore.DemoUserToken });
            Assert.Equal(HttpStatusCode.Created, connected.StatusCode);

            // What the log shows at start: one listening address (the API's), one ready line with the
            // full data path, the emulator named as such, and no library chatter.
            var output = first.Output;
            Assert.Single(output.Split('\n'), l => l.Contains("Now listening on", StringComparison.Ordinal));
            Assert.Contains($"data folder {data.Path}", output);
            Assert.Contains("embedded Graph API emulator (not the API)", output);
            Assert.DoesNotContain("Polly", output);
            Assert.DoesNotContain("Orleans.Runtime.SiloOptionsLogger", output);
            Assert.True(await first.WaitForOutputAsync("Channel fb-100000000000000 (facebook) of tenant first-hour connected", TimeSpan.FromSeconds(10)), first.Output);
            first.Kill();
        }

        await using var second = SiloProcess.Start(data.Path, settings, logLevels: true);
        await second.WaitReadyAsync(TimeSpan.FromSeconds(90));
        using var again = Client(second);
        var accepted = await Send(again, HttpMethod.Post, "/api/channels/fb-100000000000000/sync", key, new { kinds = new[] { "daily" } });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var runId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("syncRunId").GetString();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement run = default;
        while (DateTime.UtcNow < deadline)
        {
            var runs = await (await Send(again, HttpMethod.Get, "/api/channels/fb-100000000000000/sync-runs", key)).Content.ReadFromJsonAsync<JsonElement>();
            run = runs.GetProperty("items").EnumerateArray().FirstOrDefault(r => r.GetProperty("syncRunId").GetString() == runId);
            if (run.ValueKind == JsonValueKind.Object && run.GetProperty("status").GetString() is "succeeded" or "failed")
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.True(run.ValueKind == JsonValueKind.Object && run.GetProperty("status").GetString() == "succeeded", run.ToString());
        var channel = await (await Send(again, HttpMethod.Get, "/api/channels/fb-100000000000000", key)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("active", channel.GetProperty("status").GetString());
        Assert.True(await second.WaitForOutputAsync("ended Succeeded", TimeSpan.FromSeconds(10)), second.Output);
    }

    [Fact]
    public async Task A_configured_silo_port_that_is_taken_stops_the_host_with_a_message_naming_it()
    {
        using var data = new TempFolder("orleans-social-port");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var host = SiloProcess.Start(data.Path, new Dictionary<string, string> { ["Operator:ApiKey"] = OperatorKey, ["Data:Path"] = data.Path, ["Graph:BaseUrl"] = "http://127.0.0.1:9", ["Graph:AppId"] = "1", ["Graph:AppSecret"] = "s" }, siloPort: port);

        Assert.NotEqual(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"Orleans:SiloPort {port} is already in use", host.Output);
    }

    [Fact]
    public void The_membership_clock_counts_from_process_start_so_an_unset_watchdog_timestamp_reads_as_the_process_age()
    {
        using var data = new TempFolder();
        using var host = new ApiHost(data.Path);
        host.CreateHttpClient().Dispose();

        var clock = host.Services.GetRequiredKeyedService<TimeProvider>(Orleans.Runtime.TimeProviderNames.Membership);
        var processAge = DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime;

        // Orleans' watchdog compares against a timestamp that may still be 0 on its first tick.
        Assert.True(clock.GetElapsedTime(0) <= processAge + TimeSpan.FromSeconds(1), $"{clock.GetElapsedTime(0)} vs process age {processAge}");
        var before = clock.GetTimestamp();
        Assert.True(clock.GetElapsedTime(before) < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_fans_comment_on_the_demo_page_reaches_the_inbox_of_the_host_process_and_is_answered_there_as_the_readme_shows()
    {
        using var data = new TempFolder("orleans-social-firsthour-inbox");
        var settings = new Dictionary<string, string> { ["Operator:ApiKey"] = OperatorKey, ["Data:Path"] = data.Path, ["Sync:InitialSyncWindow"] = "1.00:00:00" };
        await using var host = SiloProcess.Start(data.Path, settings, logLevels: true);
        await host.WaitReadyAsync(TimeSpan.FromSeconds(90));
        using var http = Client(host);
        var created = await http.PostAsJsonAsync("/admin/tenants", new { id = "first-hour", name = "First Hour", plan = "pro", ownerEmail = "o@first.test" });
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ownerApiKey").GetString()!;
        Assert.Equal(HttpStatusCode.Created, (await Send(http, HttpMethod.Post, "/api/channels/facebook", key, new { userAccessToken = TokenStore.DemoUserToken })).StatusCode);
        // The host registered its own /webhooks/meta with the emulator it started (the emulator ran the handshake).
        Assert.True(await host.WaitForOutputAsync("Meta webhooks: callback", TimeSpan.FromSeconds(30)), host.Output);

        // The emulator's address, as the README says to find it: the start-up log line.
        var line = host.Output.Split('\n').First(l => l.Contains("serves Facebook and Instagram at ", StringComparison.Ordinal));
        var address = line[(line.IndexOf("serves Facebook and Instagram at ", StringComparison.Ordinal) + 33)..].Split(' ')[0];
        // And as the walkthroughs read it: the file the host writes in its data folder.
        Assert.Equal(address.TrimEnd('/'), File.ReadAllText(Path.Combine(data.Path, "emulator-url")).Trim());
        using var emulator = new HttpClient { BaseAddress = new Uri(address) };
        var comment = await emulator.PostAsJsonAsync("/__emulator/comments", new { on = "100000000000000_200000000000000", message = "Do you deliver on Sundays?", fromName = "Jamie Example" });
        var commentId = (await comment.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var conversation = $"fb-100000000000000.{commentId}";

        await Eventually.UntilAsync(async () => (await Send(http, HttpMethod.Get, $"/api/inbox/{conversation}", key)).IsSuccessStatusCode, TimeSpan.FromSeconds(30));
        var reply = await Send(http, HttpMethod.Post, $"/api/inbox/{conversation}/replies", key, new { text = "Yes, until noon!" });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var replies = await Eventually.ValueAsync(
            async () => (await (await Send(http, HttpMethod.Get, $"/api/inbox/{conversation}", key)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replies"),
            r => r.EnumerateArray().Any(x => x.GetProperty("delivery").GetString() != "sending"), TimeSpan.FromSeconds(30));
        Assert.Contains(replies.EnumerateArray(), r => r.GetProperty("delivery").GetString() == "sent" && r.GetProperty("text").GetString() == "Yes, until noon!");
        var onPlatform = await emulator.GetFromJsonAsync<JsonElement>($"/__emulator/comments/{commentId}");
        Assert.Single(onPlatform.GetProperty("replies").EnumerateArray(), r => r.GetProperty("message").GetString() == "Yes, until noon!");
    }

    private static HttpClient Client(SiloProcess host)
    {
        var http = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        return http;
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string key, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("x-tenant-id", "first-hour");
        return http.SendAsync(request);
    }
}
