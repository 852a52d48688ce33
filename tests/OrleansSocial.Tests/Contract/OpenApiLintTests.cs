using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Contract;

/// <summary>
/// The served OpenAPI document passes the linter a client team would run: Redocly CLI with its
/// recommended rules, installed from the npm registry into a cache folder the first time. Errors fail
/// the test; warnings are printed with it.
/// </summary>
public sealed class OpenApiLintTests(TenancyHost host) : IClassFixture<TenancyHost>
{
    private const string RedoclyVersion = "2.77.0";

    [Fact]
    public async Task The_served_document_passes_redocly_with_no_error()
    {
        var tools = Path.Combine(Path.GetTempPath(), "orleans-social-tools", "redocly-" + RedoclyVersion);
        var redocly = Path.Combine(tools, "node_modules", ".bin", "redocly");
        if (!File.Exists(redocly))
        {
            Directory.CreateDirectory(tools);
            var (installed, installOutput) = await ExternalProcess.RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefix", tools, "@redocly/cli@" + RedoclyVersion], TimeSpan.FromMinutes(5));
            Assert.True(installed == 0 && File.Exists(redocly), "npm could not install the linter (npm and the registry are prerequisites: scripts/install-prerequisites.sh):\n" + installOutput);
        }

        using var folder = new TempFolder("orleans-social-openapi-lint");
        var document = Path.Combine(folder.Path, "openapi.json");
        await File.WriteAllTextAsync(document, await host.Api.Http.GetStringAsync("/openapi/v1.json"));

        // No telemetry, no update check: the linter talks to nobody but the registry it came from.
        var (exit, output) = await ExternalProcess.RunAsync(redocly, ["lint", document, "--format=stylish"], TimeSpan.FromMinutes(2),
            environment: new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });
        Assert.True(exit == 0, "Redocly found errors in the served document:\n" + output);
        Assert.Contains("valid", output);
    }
}
