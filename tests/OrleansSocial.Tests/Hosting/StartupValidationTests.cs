using Microsoft.Extensions.Options;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Hosting;

public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Orleans:SiloPort", "0", "Orleans:SiloPort")]
    [InlineData("Operator:ApiKey", "too-short", "Operator:ApiKey")]
    [InlineData("Api:MaxRequestBodyBytes", "10", "Api:MaxRequestBodyBytes")]
    [InlineData("Orleans:ServiceId", "has spaces", "Orleans:ServiceId")]
    [InlineData("Graph:BaseUrl", "https://graph.facebook.com", "Graph:AppId and Graph:AppSecret")]
    public void A_wrong_setting_stops_the_host_with_a_message_naming_the_key(string key, string value, string named)
    {
        using var data = new TempFolder();
        using var host = new ApiHost(data.Path, new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => host.CreateHttpClient());

        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains(named, validation.Message);
    }
}
