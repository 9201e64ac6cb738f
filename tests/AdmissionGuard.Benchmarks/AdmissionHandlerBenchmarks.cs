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
/// Issue 8: decode + evaluate + encode (as the server writes it) through the webhook's one handler, for recorded Pod reviews,
/// with 1 to 1000 policies of which one (production) applies; the others belong to team namespaces.
/// Every image passes, as most admissions do. Goal: at most 8 KB per request, flat in the policy count.
/// </summary>
[MemoryDiagnoser]
public class AdmissionHandlerBenchmarks
{
    private AdmissionHandler handler = null!;
    private ReadOnlyMemory<byte> body;
    private AdmissionMetrics? metrics;

    [Params("pod-1-create", "pod-3-create", "pod-8-create", "pod-8-update", "deployment-3-apply")]
    public string Review { get; set; } = "pod-1-create";

    [Params(1, 10, 100, 1000)]
    public int Policies { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var set = Fixtures.Load(Policies - 1);
        var store = new AdmissionStateStore();
        store.Swap(new AdmissionState(Fixtures.Compile(set), Fixtures.Scans(set), set.NamespaceLabels, true));
        metrics = new AdmissionMetrics(store);
        handler = new AdmissionHandler(store, NoRegistryFacts.Instance, metrics, new WebhookOptions(), Fixtures.Clock, NullLogger<AdmissionHandler>.Instance);
        body = Fixtures.Review(Review);

        var result = Fixtures.Wait(handler.HandleAsync(body, EvaluationPurpose.Validate, CancellationToken.None));
        if (result.Decision != AdmissionDecision.Allowed || store.Current.Snapshot.PolicyCount != Policies)
        {
            var response = result.ToReview()?.Response;
            throw new InvalidOperationException($"fixture is wrong: {result.Decision} {response?.Status?.Message} {string.Join("; ", response?.Warnings ?? [])}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => metrics?.Dispose();

    // The server copies the answer from a per-thread buffer into Kestrel's pipe; this reused buffer stands in for the pipe.
    private readonly ArrayBufferWriter<byte> output = new(4096);

    [Benchmark]
    public async Task<int> Validate()
    {
        var result = await handler.HandleAsync(body, EvaluationPurpose.Validate, CancellationToken.None).ConfigureAwait(false);
        output.ResetWrittenCount();
        ReviewWriter.Write(result.ToReview()!, output);
        return output.WrittenCount;
    }
}
