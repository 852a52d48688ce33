using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace OrleansSocial.Graph.Hosting;

public static class GraphClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GraphClient"/> with Graph options (validated at start) and a resilience
    /// pipeline per Graph object: retries with jitter for transient failures of reads only,
    /// attempt and total timeouts, and a circuit breaker so one failing Page cannot stop the rest.
    /// Throttling is never retried here: it goes back to the caller with its regain time.
    /// </summary>
    public static IServiceCollection AddGraphClient(this IServiceCollection services, Action<GraphOptions>? configure = null)
    {
        var options = services.AddOptions<GraphOptions>().BindConfiguration(GraphOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddHttpClient<GraphClient>()
            // No request logging: Graph URLs of the token calls carry tokens in their query.
            .RemoveAllLoggers()
            .AddResilienceHandler("graph", static (pipeline, context) =>
            {
                var graph = context.ServiceProvider.GetRequiredService<IOptions<GraphOptions>>().Value;
                pipeline.AddTimeout(graph.TotalTimeout);
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = Math.Max(1, graph.MaxRetries),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = graph.RetryBaseDelay,
                    ShouldRetryAfterHeader = false,
                    ShouldHandle = args => IsRetryableAsync(args.Outcome, args.Context),
                });
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.8,
                    MinimumThroughput = 8,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = graph.BreakDuration,
                    ShouldHandle = args => IsTransientAsync(args.Outcome),
                });
                pipeline.AddTimeout(graph.AttemptTimeout);
            })
            .SelectPipelineBy(static _ => request => request.Options.TryGetValue(GraphClient.ObjectKey, out var id) ? id : "");
        return services;
    }

    /// <summary>Only reads are retried: a write whose answer was lost may have happened (no idempotency keys in Graph).</summary>
    private static async ValueTask<bool> IsRetryableAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        // From the context, not the response: a dropped connection has no response, and it is exactly
        // the case where a write may have happened.
        var method = context.GetRequestMessage()?.Method ?? outcome.Result?.RequestMessage?.Method;
        if (method is not null && method != HttpMethod.Get)
        {
            return false;
        }

        return await IsTransientAsync(outcome);
    }

    private static async ValueTask<bool> IsTransientAsync(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException or Polly.Timeout.TimeoutRejectedException;
        }

        var response = outcome.Result!;
        if (response.IsSuccessStatusCode)
        {
            return false;
        }

        await response.Content.LoadIntoBufferAsync();
        var body = await response.Content.ReadAsStringAsync();
        var error = GraphException.FromBody(body, (int)response.StatusCode, GraphUsage.None);
        return error?.Kind == GraphErrorKind.Transient || (error is null && response.StatusCode >= HttpStatusCode.InternalServerError);
    }
}
