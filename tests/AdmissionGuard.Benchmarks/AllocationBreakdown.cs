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
            var handle = PerCall(() => Fixtures.Wait(handler.HandleAsync(body, EvaluationPurpose.Validate, CancellationToken.None)));
            var review = Fixtures.Wait(handler.HandleAsync(body, EvaluationPurpose.Validate, CancellationToken.None)).ToReview()!;
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

    /// <summary>
    /// <c>--allocation-types REVIEW [POLICIES] [handle|decode|engine]</c>: which types the handler allocates for one review, from the runtime's
    /// allocation sampling (one <c>GCAllocationTick</c> event per ~100 KB, naming the object that crossed it), so each
    /// type's share of the samples is its share of the bytes.
    /// </summary>
    public static void Types(string name, int policies, string part)
    {
        var set = Fixtures.Load(policies - 1);
        var store = new AdmissionStateStore();
        store.Swap(new AdmissionState(Fixtures.Compile(set), Fixtures.Scans(set), set.NamespaceLabels, true));
        using var metrics = new AdmissionMetrics(store);
        var handler = new AdmissionHandler(store, NoRegistryFacts.Instance, metrics, new WebhookOptions(), Fixtures.Clock, NullLogger<AdmissionHandler>.Instance);
        ReadOnlyMemory<byte> body = Fixtures.Review(name);
        PerCall(() => Fixtures.Wait(handler.HandleAsync(body, EvaluationPurpose.Validate, CancellationToken.None)));
        using var listener = new AllocationSampler();
        var perCall = PerCall(Part(part, handler, body, store.Current), 200_000);
        var total = listener.Samples.Values.Sum();
        Console.WriteLine($"{name}, {part}: {perCall:0} B per request; {total} samples");
        foreach (var (type, count) in listener.Samples.OrderByDescending(p => p.Value))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count * perCall / total,8:0} B  {type}"));
        }
    }

    /// <summary>handle: the whole handler call; decode: <see cref="AdmissionHandler.Open"/>; engine: <see cref="PolicyEngine.Evaluate"/> of the decoded review.</summary>
    private static Func<object?> Part(string part, AdmissionHandler handler, ReadOnlyMemory<byte> body, AdmissionState state)
    {
        switch (part)
        {
            case "decode":
                return () => AdmissionHandler.Open(body, out _);
            case "engine":
                AdmissionHandler.Open(body, out var request);
                var ns = request.Namespace ?? "default";
                var input = new EvaluationInput(request.Kind?.Kind ?? "", request.Object!, ns, state.LabelsOf(ns), OldObject: request.Operation == "UPDATE" ? request.OldObject : null);
                var engine = new PolicyEngine(state.Scans, NoRegistryFacts.Instance, Fixtures.Clock);
                return () => engine.Evaluate(state.Snapshot, input, EvaluationPurpose.Validate);
            default:
                return () => Fixtures.Wait(handler.HandleAsync(body, EvaluationPurpose.Validate, CancellationToken.None));
        }
    }

    private sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
    {
        public Dictionary<string, int> Samples { get; } = [];

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)1);
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && e.PayloadNames is { } names)
            {
                var type = e.Payload![names.IndexOf("TypeName")] as string ?? "?";
                lock (Samples)
                {
                    Samples[type] = Samples.GetValueOrDefault(type) + 1;
                }
            }
        }
    }

    private static double PerCall(Func<object?> work, int calls = Calls)
    {
        for (var i = 0; i < 200; i++)
        {
            GC.KeepAlive(work());
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++)
        {
            GC.KeepAlive(work());
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
    }
}
