namespace OrleansSocial.Api.Operators;

/// <summary>Resolves the operator key when the host starts.</summary>
internal sealed class OperatorKeyInitializer(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<OperatorKey>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
