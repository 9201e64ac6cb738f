using System.Text.Json;
using System.Threading.Channels;

namespace AdmissionGuard.Telemetry;

/// <summary>
/// Writes decision records to stdout, one JSON object per line, from a background loop: admission only
/// offers a record to a bounded channel and never waits. At most <c>ratePerSecond</c> records are accepted per
/// second of <see cref="TimeProvider"/> time (a fixed window); the rest, and any the full channel refuses, are
/// counted in <c>admissionguard_decision_records_dropped_total</c>.
/// </summary>
internal sealed class DecisionRecordWriter : BackgroundService
{
    private const int Capacity = 4096;

    private readonly TextWriter output;
    private readonly int ratePerSecond;
    private readonly TimeProvider time;
    private readonly AdmissionMetrics metrics;
    private readonly Channel<DecisionRecord> channel = Channel.CreateBounded<DecisionRecord>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Lock gate = new();
    private long window = long.MinValue;
    private int used;

    public DecisionRecordWriter(TextWriter output, int ratePerSecond, TimeProvider time, AdmissionMetrics metrics)
    {
        this.output = output;
        this.ratePerSecond = ratePerSecond;
        this.time = time;
        this.metrics = metrics;
    }

    /// <summary>Offers a record; never blocks. False when it was dropped (rate limit or full channel).</summary>
    public bool TryWrite(DecisionRecord record)
    {
        if (ratePerSecond <= 0)
        {
            return false;
        }

        if (!TakeToken() || !channel.Writer.TryWrite(record))
        {
            metrics.DecisionRecordDropped();
            return false;
        }

        return true;
    }

    private bool TakeToken()
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        lock (gate)
        {
            if (second != window)
            {
                window = second;
                used = 0;
            }

            if (used >= ratePerSecond)
            {
                return false;
            }

            used++;
            return true;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                Drain(reader);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: StopAsync writes what is still queued.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // The loop has ended (or never ran): nothing else reads the channel now.
        Drain(channel.Reader);
    }

    private void Drain(ChannelReader<DecisionRecord> reader)
    {
        while (reader.TryRead(out var record))
        {
            // One Write per line: a synchronized writer (Console.Out) never interleaves another line into it.
            output.Write(JsonSerializer.Serialize(record, ObservingJsonContext.Relaxed.DecisionRecord) + "\n");
        }

        output.Flush();
    }
}
