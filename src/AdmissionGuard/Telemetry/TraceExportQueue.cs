using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace AdmissionGuard.Telemetry;

/// <summary>
/// A bounded batch processor: ending a span only enqueues it (or counts it dropped when the queue is full), and one
/// background thread exports batches. A collector that is down or slow therefore costs admission nothing: its
/// timeouts are spent on that thread, and what does not fit is dropped and counted.
/// </summary>
/// <remarks>
/// Written here rather than using the SDK's BatchActivityExportProcessor because that one keeps its dropped count
/// internal, and the dropped-span counter (<c>admissionguard_trace_spans_dropped_total</c>) must say how many spans an
/// operator lost and why: the queue was full, or the export failed.
/// </remarks>
internal sealed class TraceExportQueue : BaseExportProcessor<Activity>
{
    private readonly ConcurrentQueue<Activity> queue = new();
    private readonly int maxQueueSize;
    private readonly int maxBatchSize;
    private readonly TimeSpan delay;
    private readonly Action<string, long> dropped;
    private readonly AutoResetEvent wake = new(false);
    private readonly Thread worker;
    private readonly object exporting = new();
    private readonly Activity[] batch;
    private int count;
    private volatile bool stopping;

    /// <param name="dropped">Called with a reason (<c>queue_full</c>, <c>export_failed</c>) and how many spans were lost.</param>
    public TraceExportQueue(BaseExporter<Activity> exporter, int maxQueueSize, int maxBatchSize, TimeSpan delay, Action<string, long> dropped)
        : base(exporter)
    {
        this.maxQueueSize = maxQueueSize;
        this.maxBatchSize = maxBatchSize;
        this.delay = delay;
        this.dropped = dropped;
        batch = new Activity[maxBatchSize];
        worker = new Thread(Run) { IsBackground = true, Name = "AdmissionGuard trace export" };
        worker.Start();
    }

    /// <summary>Spans waiting to be exported.</summary>
    public int Queued => Volatile.Read(ref count);

    public override void OnEnd(Activity data)
    {
        if (data.Recorded)
        {
            OnExport(data);
        }
    }

    protected override void OnExport(Activity data)
    {
        if (Interlocked.Increment(ref count) > maxQueueSize)
        {
            Interlocked.Decrement(ref count);
            dropped("queue_full", 1);
            return;
        }

        queue.Enqueue(data);
        if (Volatile.Read(ref count) >= maxBatchSize)
        {
            wake.Set();
        }
    }

    protected override bool OnForceFlush(int timeoutMilliseconds) =>
        ExportQueued(timeoutMilliseconds) && base.OnForceFlush(timeoutMilliseconds);

    /// <summary>
    /// Exports what is left within the timeout. When the export thread is still stuck on a hanging collector, what is
    /// queued is given up (counted as dropped) rather than holding up the shutdown.
    /// </summary>
    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        stopping = true;
        wake.Set();
        var timeout = timeoutMilliseconds < 0 ? Timeout.Infinite : timeoutMilliseconds;
        var done = worker.Join(timeout) && ExportQueued(timeout);
        if (!done && Interlocked.Exchange(ref count, 0) is var lost and > 0)
        {
            queue.Clear();
            dropped("export_failed", lost);
        }

        return base.OnShutdown(timeoutMilliseconds) && done;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            stopping = true;
            wake.Set();
        }

        base.Dispose(disposing);
    }

    private void Run()
    {
        while (!stopping)
        {
            wake.WaitOne(delay);
            ExportQueued(Timeout.Infinite);
        }
    }

    /// <summary>
    /// Exports everything queued now, a batch at a time, one export at a time (the exporter is not re-entrant); false when
    /// another export held the exporter past <paramref name="timeoutMilliseconds"/>.
    /// </summary>
    private bool ExportQueued(int timeoutMilliseconds)
    {
        if (!Monitor.TryEnter(exporting, timeoutMilliseconds))
        {
            return false;
        }

        try
        {
            while (true)
            {
                var n = 0;
                while (n < batch.Length && queue.TryDequeue(out var activity))
                {
                    batch[n++] = activity;
                }

                if (n == 0)
                {
                    return true;
                }

                Interlocked.Add(ref count, -n);
                ExportResult result;
                try
                {
                    result = exporter.Export(new Batch<Activity>(batch, n));
                }
#pragma warning disable CA1031 // an exporter failure must cost spans, never the export thread
                catch (Exception)
#pragma warning restore CA1031
                {
                    result = ExportResult.Failure;
                }

                if (result != ExportResult.Success)
                {
                    dropped("export_failed", n);
                }

                Array.Clear(batch, 0, n);
            }
        }
        finally
        {
            Monitor.Exit(exporting);
        }
    }
}
