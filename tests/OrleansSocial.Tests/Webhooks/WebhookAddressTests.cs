using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrleansSocial.Grains.Webhooks;
using OrleansSocial.Tests.Infrastructure;
using OrleansSocial.Webhooks;

namespace OrleansSocial.Tests.Webhooks;

/// <summary>No server-side request forgery: every forbidden address class, at registration (default settings) and at connect time.</summary>
public sealed class WebhookAddressTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("224.0.0.1")]
    [InlineData("ff02::1")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("255.255.255.255")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:7f00:1::")]
    [InlineData("::127.0.0.1")]
    [InlineData("::7f00:1")]
    [InlineData("::a9fe:a9fe")]
    [InlineData("::10.0.0.1")]
    [InlineData("::ffff:0:127.0.0.1")]
    [InlineData("::ffff:0:a9fe:a9fe")]
    [InlineData("2001::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("64:ff9b:1::10.0.0.1")]
    [InlineData("2606:4700::5efe:7f00:1")]
    public void Forbidden_addresses_are_refused(string address) =>
        Assert.NotNull(WebhookAddresses.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("::8.8.8.8")]
    [InlineData("2001:db9::1")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.Null(WebhookAddresses.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://10.0.0.5/hook")]
    [InlineData("https://192.168.10.1/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[fe80::1]/hook")]
    [InlineData("https://224.0.0.251/hook")]
    [InlineData("https://[::127.0.0.1]/hook")]
    [InlineData("https://[::7f00:1]/hook")]
    [InlineData("https://[::a9fe:a9fe]/hook")]
    [InlineData("https://[::10.0.0.1]/hook")]
    [InlineData("https://[::ffff:0:127.0.0.1]/hook")]
    [InlineData("https://[2001::1]/hook")]
    [InlineData("http://example.com/hook")]
    [InlineData("https://user:secret@example.com/hook")]
    public async Task Registration_refuses_forbidden_urls_with_default_settings(string url)
    {
        var tenant = await host.Api.CreateTenantAsync();

        var problem = await ProblemAssert.IsProblemAsync(
            await host.Api.TenantAsync(HttpMethod.Post, "/api/webhooks", tenant.Id, tenant.OwnerKey, new { url, events = new[] { "post.published" } }), 400);

        Assert.Equal("url", problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task Connecting_refuses_a_name_or_address_that_resolves_to_a_forbidden_address(string host)
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        await Assert.ThrowsAsync<WebhookAddressRefusedException>(async () => await WebhookHttp.ConnectAsync(new DnsEndPoint(host, port), allowPrivateNetworks: false, CancellationToken.None));
        // The same connection is made when private networks are allowed (development): the guard, not the network, refused.
        await using var allowed = await WebhookHttp.ConnectAsync(new DnsEndPoint(host, port), allowPrivateNetworks: true, CancellationToken.None);
    }

    [Fact]
    public async Task A_connection_the_guard_refuses_is_recognised_through_the_clients_wrapping_as_permanent()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddWebhookDelivery();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookHttp.ClientName);

        var thrown = await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.PostAsync($"http://127.0.0.1:{port}/hook", new StringContent("{}")));

        // SocketsHttpHandler wraps what the connect step threw; the delivery still sees the guard's refusal (no retry).
        Assert.NotNull(WebhookHttp.RefusedAddress(thrown));
        Assert.Null(WebhookHttp.RefusedAddress(new HttpRequestException("connection refused")));
    }
}
