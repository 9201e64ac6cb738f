using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace AdmissionGuard.Hosting;

/// <summary>
/// What the supervised background loops report: restarts (a counter per loop, also exported as
/// <c>admissionguard_service_restarts_total{service}</c>) and the one failure that ended the process, which
/// decides the exit code: a failed service is never an exit 0.
/// </summary>
internal sealed class ServiceHealth : IDisposable
{
    /// <summary>The exit code when a background service failed for good.</summary>
    public const int FailedExitCode = 1;

    private readonly ConcurrentDictionary<string, int> restarts = new(StringComparer.Ordinal);
    private readonly Meter meter = new(Telemetry.AdmissionMetrics.MeterName);
    private readonly Counter<long> restartCounter;
    private string? fatal;

    public ServiceHealth()
    {
        restartCounter = meter.CreateCounter<long>("admissionguard_service_restarts", description: "Background loops restarted after a failure, by loop");
    }

    /// <summary>Raised after each restart is scheduled, with the loop's name.</summary>
    public event Action<string>? Restarted;

    /// <summary>The failure that stopped the process, or null.</summary>
    public string? Fatal => Volatile.Read(ref fatal);

    public int ExitCode => Fatal is null ? 0 : FailedExitCode;

    public int RestartsOf(string service) => restarts.TryGetValue(service, out var n) ? n : 0;

    public void RecordRestart(string service)
    {
        restarts.AddOrUpdate(service, 1, (_, n) => n + 1);
        restartCounter.Add(1, new KeyValuePair<string, object?>("service", service));
        Restarted?.Invoke(service);
    }

    /// <summary>Records the first unrecoverable failure (later ones are consequences of the shutdown).</summary>
    public bool RecordFatal(string what) => Interlocked.CompareExchange(ref fatal, what, null) is null;

    /// <summary>
    /// The exit code of a host that has stopped: non-zero when a supervised loop failed for good, and also when
    /// any other background service ended in an exception (the host then stops, and that is never a success).
    /// </summary>
    public static int ExitCodeOf(IServiceProvider services)
    {
        if (services.GetService<ServiceHealth>() is { ExitCode: not 0 } failed)
        {
            return failed.ExitCode;
        }

        return services.GetServices<IHostedService>().OfType<BackgroundService>().Any(s => s.ExecuteTask is { IsFaulted: true })
            ? FailedExitCode
            : 0;
    }

    public void Dispose() => meter.Dispose();
}
