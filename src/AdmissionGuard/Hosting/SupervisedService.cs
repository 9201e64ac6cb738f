using k8s.Exceptions;
using Polly;
using Polly.Retry;

namespace AdmissionGuard.Hosting;

/// <summary>
/// A background loop that a failure cannot take down with the process. When <see cref="RunAsync"/> throws, the
/// loop is restarted with exponential backoff and jitter (Polly's retry strategy on the injected clock), logged
/// and counted in <see cref="ServiceHealth"/>, while everything else (admission answering from the last
/// snapshot) carries on. Only a failure that cannot recover (<see cref="UnrecoverableException"/>, a broken
/// kubeconfig) stops the host, with one log line naming the loop and the cause, and makes the exit code non-zero.
/// </summary>
internal abstract class SupervisedService : BackgroundService
{
    private readonly ResiliencePipeline pipeline;
    private readonly ILogger logger;
    private readonly ServiceHealth health;
    private readonly IHostApplicationLifetime? lifetime;

    protected SupervisedService(string name, TimeProvider time, ILogger logger, ServiceHealth? health = null, IHostApplicationLifetime? lifetime = null, SupervisionOptions? supervision = null)
    {
        Name = name;
        this.logger = logger;
        this.health = health ?? new ServiceHealth();
        this.lifetime = lifetime;
        supervision ??= SupervisionOptions.Default;
        pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => !IsUnrecoverable(e) && e is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = supervision.InitialDelay,
                MaxDelay = supervision.MaxDelay,
                OnRetry = args =>
                {
                    logger.LogError("{Service} failed, restarting in {Delay} ms (restart {Attempt}): {Error}",
                        Name, (int)args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1, Describe(args.Outcome.Exception));
                    OnRestarting();
                    this.health.RecordRestart(Name);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The loop's name in logs and in <c>admissionguard_service_restarts_total{service}</c>.</summary>
    public string Name { get; }

    /// <summary>One run of the loop; returns only when <paramref name="stoppingToken"/> is cancelled.</summary>
    protected abstract Task RunAsync(CancellationToken stoppingToken);

    /// <summary>Called after a failure, before the backoff: drop what must not outlive the failed run.</summary>
    protected virtual void OnRestarting()
    {
    }

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await pipeline.ExecuteAsync(async token => await RunAsync(token).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not rethrown: the host would log it again with a stack trace; one line says what failed.
            if (health.RecordFatal($"{Name}: {Describe(e)}"))
            {
                logger.LogCritical("{Service} failed and cannot recover, stopping: {Error}", Name, Describe(e));
            }

            lifetime?.StopApplication();
        }
    }

    private static bool IsUnrecoverable(Exception e) => e is UnrecoverableException or KubeConfigException;

    private static string Describe(Exception? e) => e is null ? "(no exception)" : $"{e.GetType().Name}: {e.Message}";
}
