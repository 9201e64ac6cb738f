using System.Buffers;
using System.Globalization;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Registry;
using AdmissionGuard.Telemetry;
using AdmissionGuard.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// <c>--allocations</c>: bytes allocated per request by each part of <see cref="AdmissionHandlerBenchmarks"/>'s
/// work (decode alone, decode + evaluate, encode), from the runtime's per-thread allocation counter, averaged over
/// many calls after a warm-up. Exact and load-independent, like BenchmarkDotNet's Allocated column, but split.
/// </summary>
internal static class AllocationBreakdown
{
    private const int Calls = 2000;

    public static void Run(int policies)
    {
        var set = Fixtures.Load(policies - 1);
        var store = new AdmissionStateStore();
        store.Swap(new AdmissionState(Fixtures.Compile(set), Fixtures.Scans(set), set.NamespaceLabels, true));
        using var metrics = new AdmissionMetrics(store);
        var handler = new AdmissionHandler(store, NoRegistryFacts.Instance, metrics, new WebhookOptions(), Fixtures.Clock, NullLogger<AdmissionHandler>.Instance);
        Console.WriteLine($"Bytes allocated per request, {policies} policies (decode = AdmissionHandler.Open; handle = HandleAsync, which includes decode; encode = the response)");
        Console.WriteLine("| review | decode | handle | encode | total |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var name in new[] { "pod-1-create", "pod-3-create", "pod-8-create", "pod-8-update", "deployment-3-apply" })
        {
            ReadOnlyMemory<byte> body = Fixtures.Review(name);
            var decode = PerCall(() => AdmissionHandler.Open(body, out _));
            var handle = PerCall(() => handler.HandleAsync(body, EvaluationPurpose.Validate, CancellationToken.None).GetAwaiter().GetResult());
            var review = handler.HandleAsync(body, EvaluationPurpose.Validate, CancellationToken.None).GetAwaiter().GetResult().ToReview()!;
            var output = new ArrayBufferWriter<byte>(4096);
            var encode = PerCall(() =>
            {
                output.ResetWrittenCount();
                ReviewWriter.Write(review, output);
                return null;
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {decode:0} | {handle:0} | {encode:0} | {handle + encode:0} |"));
        }
    }

    private static double PerCall(Func<object?> work)
    {
        for (var i = 0; i < 200; i++)
        {
            GC.KeepAlive(work());
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            GC.KeepAlive(work());
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
    }
}
