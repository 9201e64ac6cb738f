using System.Text.Json;
using AdmissionGuard.Admission;
using AdmissionGuard.Serialization;
using BenchmarkDotNet.Attributes;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// The decode part of <see cref="AdmissionHandlerBenchmarks"/> alone, so the handler's figures can be split into
/// decode and the rest: the webhook's one-pass reader, the source-generated serializer it falls back to, and the
/// floor both are measured against, tokenising every byte of the review with <see cref="Utf8JsonReader"/> (what
/// the load run's read-all null webhook does).
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };
    private byte[] body = [];

    [Params("pod-1-create", "pod-3-create", "pod-8-create", "pod-8-update", "deployment-3-apply")]
    public string Review { get; set; } = "pod-1-create";

    [GlobalSetup]
    public void Setup() => body = Fixtures.Review(Review);

    [Benchmark(Baseline = true)]
    public int Tokenise()
    {
        var reader = new Utf8JsonReader(body, Options);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    [Benchmark]
    public AdmissionReview? Reader() => AdmissionReviewReader.TryRead(body, out var review) ? review : null;

    [Benchmark]
    public AdmissionReview? Serializer() => JsonSerializer.Deserialize(body, AgJsonContext.Default.AdmissionReview);
}
