using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OrleansSocial.Api.Errors;
using OrleansSocial.Api.Security;

namespace OrleansSocial.Api.Tenancy;

/// <summary>Per-tenant API request rate by plan: a bucket of a minute's requests per tenant, refilled continuously; 429 with Retry-After past it.</summary>
internal static class TenantRateLimiting
{
    public static IServiceCollection AddTenantRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Features.Get<TenantContext>() is { } tenant
                    // The limit is part of the key, so a plan change takes effect at once. A bucket that
                    // refills continuously makes Retry-After the real time until the next request is allowed.
                    ? RateLimitPartition.GetTokenBucketLimiter($"{tenant.TenantId}:{tenant.Limits.ApiRequestsPerMinute}",
                        _ => RequestRates.PerMinute(tenant.Limits.ApiRequestsPerMinute, tenant.Limits.ApiRequestsPerMinute))
                    : RateLimitPartition.GetNoLimiter(""));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var seconds = RequestRates.RetryAfterSeconds(rejected.Lease, TimeSpan.FromMinutes(1));
                var http = rejected.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"This tenant's plan allows {http.Features.Get<TenantContext>()?.Limits.ApiRequestsPerMinute} API requests per minute; retry in {seconds} s.",
                        Type = ProblemTypes.Base + "rate-limit",
                    },
                });
            };
        });
}
