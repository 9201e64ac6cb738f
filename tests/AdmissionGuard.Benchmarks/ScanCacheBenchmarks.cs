using System.Globalization;
using System.Security.Cryptography;
using AdmissionGuard.Scans;
using BenchmarkDotNet.Attributes;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// Issue 5: the scan cache. <c>Find</c> time for 1,024 random keys per operation batch (so large caches
/// pay their cache misses), and the bytes each cached scan keeps alive (the RetainedB/scan column).
/// Aim: under 400 bytes per entry, lookup independent of the cache size.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RetainedBytesColumn.Config))]
public class ScanCacheBenchmarks
{
    private const int Probes = 1024;

    private ScanIndex index = ScanIndex.Empty;
    private string[] digests = [];
    private string[] images = [];

    [Params(1_000, 100_000, 1_000_000)]
    public int Scans { get; set; } = 1_000;

    [GlobalSetup]
    public void Setup()
    {
        index = Build(Scans);
        var random = new Random(42);
        digests = new string[Probes];
        images = new string[Probes];
        for (var i = 0; i < Probes; i++)
        {
            var n = random.Next(Scans);
            digests[i] = Digest(n);
            images[i] = Image(n);
        }
    }

    [Benchmark(OperationsPerInvoke = Probes)]
    public int FindByDigest()
    {
        var found = 0;
        foreach (var digest in digests)
        {
            found += index.Find("unused", digest) is null ? 0 : 1;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Probes)]
    public int FindByReference()
    {
        var found = 0;
        foreach (var image in images)
        {
            found += index.Find(image, null) is null ? 0 : 1;
        }

        return found;
    }

    /// <summary>
    /// A cluster's scans: each image rebuilt eight times (eight digests per normalized reference),
    /// grades spread over the scale. Yielded lazily, so only the index survives a build.
    /// </summary>
    public static IEnumerable<ImageScan> Generate(int count)
    {
        var at = Fixtures.ScannedAt;
        for (var i = 0; i < count; i++)
        {
            yield return new ImageScan
            {
                ApiVersion = "admissionguard.io/v1alpha1",
                Kind = ImageScan.KindName,
                Spec = new ImageScanSpec
                {
                    Image = Image(i),
                    Digest = Digest(i),
                    Scanner = new ScannerInfo { Name = "trivy", Version = "0.58.0" },
                    ScannedAt = at.AddMinutes(-i),
                    Vulnerabilities = new SeverityCounts { Critical = i % 7 == 0 ? 1 : 0, High = i % 5, Medium = i % 11, Low = i % 13 },
                    Fixable = new FixableCounts { Critical = 0, High = i % 3 == 0 ? i % 5 : 0 },
                },
            };
        }
    }

    public static ScanIndex Build(int count)
    {
        var result = ScanIndex.Build(Generate(count), GradeScale.Default);
        if (result.Errors.Count != 0 || result.Index.Count != count)
        {
            throw new InvalidOperationException($"fixture is wrong: {result.Errors.Count} errors, {result.Index.Count} scans: {string.Join("; ", result.Errors.Take(3))}");
        }

        return result.Index;
    }

    private static string Image(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"registry.example.com/team-{i / 8 % 50}/service-{i / 8}:1.{i / 8 % 97}");

    private static string Digest(int i) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)));
}
