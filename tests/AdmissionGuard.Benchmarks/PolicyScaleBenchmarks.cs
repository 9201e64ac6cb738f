using System.Buffers;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Registry;
using AdmissionGuard.Telemetry;
using AdmissionGuard.Webhooks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// The handler with 1 to 10,000 policies of which one (production) applies to the review's namespace; the others
/// are team policies for other namespaces. Goal: 10,000 within 1.2x of 1 (compare the means of one run).
/// </summary>
[MemoryDiagnoser]
public class PolicyScaleBenchmarks
{
    private readonly ArrayBufferWriter<byte> output = new(4096);
    private AdmissionHandler handler = null!;
    private ReadOnlyMemory<byte> body;
    private AdmissionMetrics? metrics;

    [Params(1, 100, 10_000)]
    public int Policies { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var set = Fixtures.Load(Policies - 1);
        var store = new AdmissionStateStore();
        store.Swap(new AdmissionState(Fixtures.Compile(set), Fixtures.Scans(set), set.NamespaceLabels, true));
        metrics = new AdmissionMetrics(store);
        handler = new AdmissionHandler(store, NoRegistryFacts.Instance, metrics, new WebhookOptions(), Fixtures.Clock, NullLogger<AdmissionHandler>.Instance);
        body = Fixtures.Review("pod-3-create");
        if (store.Current.Snapshot.PolicyCount != Policies)
        {
            throw new InvalidOperationException($"fixture is wrong: {store.Current.Snapshot.PolicyCount} policies");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => metrics?.Dispose();

    [Benchmark]
    public async Task<int> Validate()
    {
        var result = await handler.HandleAsync(body, EvaluationPurpose.Validate, CancellationToken.None).ConfigureAwait(false);
        output.ResetWrittenCount();
        ReviewWriter.Write(result.ToReview()!, output);
        return output.WrittenCount;
    }
}
