using System.Diagnostics;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Registry;
using AdmissionGuard.Telemetry;
using AdmissionGuard.Webhooks;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// The cost of tracing on the admission path (docs/performance.md, "Tracing cost"): what the endpoint does around the
/// handler (start the admission span from the request's traceparent, tag the answer, end it) plus the handler itself.
/// Baseline skips the span calls entirely; Off makes them with no listener (tracing off: StartActivity returns null);
/// On has a tracer provider sampling every request (ratio 1.0) into the real export queue, whose exporter discards
/// (serialization and the network happen on the export thread, not on the request).
/// </summary>
[MemoryDiagnoser]
public class TracingBenchmarks
{
    private AdmissionHandler handler = null!;
    private ReadOnlyMemory<byte> body;
    private AdmissionMetrics? metrics;
    private TracerProvider? provider;
    private readonly HeaderDictionary headers = new() { ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };

    public enum Mode
    {
        Baseline,
        Off,
        On,
    }

    [Params("pod-1-create", "pod-8-create")]
    public string Review { get; set; } = "pod-1-create";

    [Params(Mode.Baseline, Mode.Off, Mode.On)]
    public Mode Tracing { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var set = Fixtures.Load(9);
        var store = new AdmissionStateStore();
        store.Swap(new AdmissionState(Fixtures.Compile(set), Fixtures.Scans(set), set.NamespaceLabels, true));
        metrics = new AdmissionMetrics(store);
        handler = new AdmissionHandler(store, NoRegistryFacts.Instance, metrics, new WebhookOptions(), Fixtures.Clock, NullLogger<AdmissionHandler>.Instance);
        body = Fixtures.Review(Review);
        if (Tracing == Mode.On)
        {
            provider = Sdk.CreateTracerProviderBuilder()
                .AddSource(Telemetry.Tracing.SourceName)
                .SetSampler(new AlwaysOnSampler())
                .AddProcessor(new TraceExportQueue(new DiscardingExporter(), 2048, 512, TimeSpan.FromMilliseconds(200), (_, _) => { }))
                .Build();
        }

        if (Telemetry.Tracing.Source.HasListeners() != (Tracing == Mode.On))
        {
            throw new InvalidOperationException($"fixture is wrong: listeners {Telemetry.Tracing.Source.HasListeners()} with tracing {Tracing}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        provider?.Dispose();
        metrics?.Dispose();
    }

    [Benchmark]
    public async Task<int> Validate()
    {
        using var activity = Tracing == Mode.Baseline ? null : Telemetry.Tracing.StartAdmission("validate", headers);
        var result = await handler.HandleAsync(body, EvaluationPurpose.Validate, CancellationToken.None).ConfigureAwait(false);
        if (activity is { IsAllDataRequested: true })
        {
            Telemetry.Tracing.Answered(activity, result.StatusCode, result.Kind, result.Operation, result.DecisionLabel);
        }

        return AdmissionHandler.Encode(result.ToReview()!).Length;
    }

    private sealed class DiscardingExporter : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch) => ExportResult.Success;
    }
}
