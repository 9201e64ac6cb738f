namespace AdmissionGuard.Hosting;

/// <summary>
/// On SIGTERM: readiness turns false at once, requests keep being served for the drain period (so
/// endpoints controllers and the API server stop sending), and only then does Kestrel stop.
/// </summary>
internal sealed class DrainOnShutdown(Readiness readiness, DrainOptions options, ILogger<DrainOnShutdown> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        readiness.BeginDrain();
        logger.LogInformation("shutting down: not ready, serving for {Drain}s more", options.Period.TotalSeconds);
        try
        {
            await Task.Delay(options.Period, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
