using AdmissionGuard.Images;
using BenchmarkDotNet.Attributes;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// Image globs: a pathological pattern (ten "**" runs) against a 270-character path, beside a realistic
/// one-star pattern on the same image. The ratio shows that matching stays linear in tokens x length (a
/// backtracking matcher would take minutes on the first); the unit test only checks the answer.
/// </summary>
[MemoryDiagnoser]
public class GlobBenchmarks
{
    private readonly ImageReference image;
    private readonly ImageGlob pathological;
    private readonly ImageGlob realistic;

    public GlobBenchmarks()
    {
        var path = "registry.example.com/" + string.Join('/', Enumerable.Repeat(new string('a', 30), 8));
        if (!ImageReferenceParser.TryParse(path, out var parsed, out var error)
            || !ImageGlob.TryCompile("**a**a**a**a**a**a**a**a**a**b", out var many, out error)
            || !ImageGlob.TryCompile("registry.example.com/*/**", out var one, out error))
        {
            throw new InvalidOperationException(error);
        }

        image = parsed;
        pathological = many;
        realistic = one;
    }

    [Benchmark(Baseline = true)]
    public bool Realistic() => realistic.IsMatch(image);

    [Benchmark]
    public bool ManyDoubleStars() => pathological.IsMatch(image);
}
