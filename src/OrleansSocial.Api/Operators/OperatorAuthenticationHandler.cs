using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OrleansSocial.Api.Operators;

/// <summary>
/// Authenticates the operator by key: <c>Authorization: Bearer &lt;key&gt;</c> for tools, or
/// HTTP Basic with the key as password so a browser can open the dashboard.
/// </summary>
internal sealed class OperatorAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OperatorKey operatorKey,
    IProblemDetailsService problemDetails,
    Security.FailedAuthentication failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Operator";
    public const string PolicyName = "Operator";

    private const string ThrottledItem = "operator-auth-throttled";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request.Headers.Authorization.ToString());
        // A member key is the tenant resolution's business: not a failed operator login (which
        // would log a failure on every tenant request).
        if (presented is not null && OrleansSocial.Tenancy.ApiKeys.Parse(presented) is not null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (failures.Blocked(Context, Security.FailedAuthentication.Credential(presented, operatorScheme: presented is not null)) is { } wait)
        {
            Context.Items[ThrottledItem] = wait;
            return Task.FromResult(AuthenticateResult.Fail("Too many failed authentications from this address."));
        }

        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!operatorKey.Matches(presented))
        {
            failures.Failed(Context, "operator", "invalid operator key", null, null, Security.FailedAuthentication.Credential(presented, operatorScheme: true));
            return Task.FromResult(AuthenticateResult.Fail("The operator key is not valid."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, "operator"), new Claim(ClaimTypes.Name, "operator")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[ThrottledItem] is int wait)
        {
            await Security.FailedAuthentication.WriteTooManyAsync(Context, wait);
            return;
        }

        // No key at all guesses nothing (the dashboard polls without one until the browser has it): a 401,
        // never a place in the failed-authentication budget.
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        // Two challenges as two header values: browsers (Chromium at least) do not read a Basic
        // challenge that follows another in the same value, and then never ask for the key.
        Response.Headers.WWWAuthenticate = new Microsoft.Extensions.Primitives.StringValues(["Bearer", "Basic realm=\"OrleansSocial operator\""]);
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Operator key required",
                Detail = "Send the operator key as 'Authorization: Bearer <key>'.",
            },
        });
    }

    private static string? PresentedKey(string header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || string.IsNullOrEmpty(value.Parameter))
        {
            return null;
        }

        if (value.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return value.Parameter;
        }

        if (value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
                var colon = decoded.IndexOf(':');
                return colon < 0 ? null : decoded[(colon + 1)..];
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }
}
