using System.Diagnostics.Metrics;

namespace AdmissionGuard.Telemetry;

/// <summary><c>admissionguard_trace_spans_dropped_total{reason}</c>: spans lost on the way to the collector (docs/metrics.md).</summary>
internal sealed class TraceSpanDrops : IDisposable
{
    private static readonly KeyValuePair<string, object?> QueueFull = new("reason", "queue_full");
    private static readonly KeyValuePair<string, object?> ExportFailed = new("reason", "export_failed");

    private readonly Meter meter = new(AdmissionMetrics.MeterName);
    private readonly Counter<long> dropped;

    public TraceSpanDrops()
    {
        dropped = meter.CreateCounter<long>("admissionguard_trace_spans_dropped",
            description: "Spans not delivered to the OTLP collector: the export queue was full (queue_full) or the export failed (export_failed)");
        // Both series exist from the start, so a rate() over them works before the first drop.
        dropped.Add(0, QueueFull);
        dropped.Add(0, ExportFailed);
    }

    public void Dropped(string reason, long spans) => dropped.Add(spans, reason == "queue_full" ? QueueFull : ExportFailed);

    public void Dispose() => meter.Dispose();
}
