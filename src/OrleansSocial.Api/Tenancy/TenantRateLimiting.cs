using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OrleansSocial.Api.Errors;

namespace OrleansSocial.Api.Tenancy;

/// <summary>Per-tenant API request rate by plan: a fixed one-minute window per tenant, 429 with Retry-After past it.</summary>
internal static class TenantRateLimiting
{
    public static IServiceCollection AddTenantRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Features.Get<TenantContext>() is { } tenant
                    // The limit is part of the key, so a plan change takes effect at once.
                    ? RateLimitPartition.GetFixedWindowLimiter($"{tenant.TenantId}:{tenant.Limits.ApiRequestsPerMinute}", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = tenant.Limits.ApiRequestsPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
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
