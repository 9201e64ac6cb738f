using System.Text.Json;
using AdmissionGuard.Admission;
using AdmissionGuard.Serialization;
using BenchmarkDotNet.Attributes;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// The decode part of <see cref="AdmissionHandlerBenchmarks"/> alone (source-generated AdmissionReview,
/// the typed subset only), so the handler's figures can be split into decode and the rest.
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private byte[] body = [];

    [Params("pod-1-create", "pod-3-create", "pod-8-create", "pod-8-update", "deployment-3-apply")]
    public string Review { get; set; } = "pod-1-create";

    [GlobalSetup]
    public void Setup() => body = Fixtures.Review(Review);

    [Benchmark]
    public AdmissionReview? Decode() => JsonSerializer.Deserialize(body, AgJsonContext.Default.AdmissionReview);
}
