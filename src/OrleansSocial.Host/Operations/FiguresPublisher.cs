using Microsoft.Extensions.Options;
using OrleansSocial.ReadModels;
using OrleansSocial.ReadModels.Operations;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Host.Operations;

/// <summary>
/// Publishes this silo's figures to the catalog every <see cref="OperationsOptions.PublishInterval"/>
/// (so a silo's death loses at most that much of them), reads the overview for the gauges this silo
/// exports, and forgets the figures of silos silent for a day.
/// </summary>
internal sealed partial class FiguresPublisher(
    ILocalSiloDetails silo, OperatorFigures figures, OperatorOverview overview, OperatorGauges gauges, IDocumentStore store,
    IOptions<OperationsOptions> options, TimeProvider time, ILogger<FiguresPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        figures.Silo = silo.SiloAddress.ToParsableString();
        using var timer = new PeriodicTimer(options.Value.PublishInterval, time);
        try
        {
            do
            {
                await RoundAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        try
        {
            await overview.PublishAsync(cancellationToken);
            gauges.Update(await overview.ReadAsync(cancellationToken));
            await store.Catalog.GetCollection(Collections.SiloFigures)
                .DeleteManyAsync([FieldFilter.Lt("at", StoredTime.Of(time.GetUtcNow() - OperatorFigures.Window))], cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The catalog did not answer this round: the figures are kept and published at the next.
            LogRoundFailed(logger, exception.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Operator figures not published this round ({Reason}); the next round publishes them")]
    private static partial void LogRoundFailed(ILogger logger, string reason);
}
