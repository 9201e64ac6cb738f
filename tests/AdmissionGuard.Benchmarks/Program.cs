using AdmissionGuard.Benchmarks;
using BenchmarkDotNet.Running;

// --allocations [POLICIES]: the per-stage allocation split (AllocationBreakdown), no BenchmarkDotNet run.
if (args is ["--allocations", ..])
{
    AllocationBreakdown.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1);
    return;
}

// --allocation-types REVIEW [POLICIES] [handle|decode|engine]: the types one part allocates, from the runtime's allocation sampling.
if (args is ["--allocation-types", var review, ..])
{
    AllocationBreakdown.Types(review, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1, args.Length > 3 ? args[3] : "handle");
    return;
}

// --decode-loop REVIEW SECONDS [tokenise]: the one-pass reader (or the tokenise-only floor) in a loop, nothing else,
// for a profiler (perf record) to attach to; prints the mean per decode of the last half.
if (args is ["--decode-loop", var loopReview, var loopSeconds, ..])
{
    var bench = new DecodeBenchmarks { Review = loopReview };
    bench.Setup();
    Func<bool> decode = args.Length > 3 && args[3] == "tokenise" ? () => bench.Tokenise() > 0 : () => bench.Reader() is not null;
    var seconds = double.Parse(loopSeconds, System.Globalization.CultureInfo.InvariantCulture);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var (decoded, halfAt, halfCount) = (0L, TimeSpan.Zero, 0L);
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        for (var i = 0; i < 1000; i++)
        {
            decoded += decode() ? 1 : 0;
        }

        if (halfAt == TimeSpan.Zero && clock.Elapsed.TotalSeconds > seconds / 2)
        {
            (halfAt, halfCount) = (clock.Elapsed, decoded);
        }
    }

    Console.WriteLine($"{decoded} decoded; {(clock.Elapsed - halfAt).TotalNanoseconds / (decoded - halfCount):0} ns each over the second half");
    return;
}

// Default to a short in-process job: a full run takes minutes, not hours, on a shared machine.
// Pass --job (e.g. --job default) to choose another; every other BenchmarkDotNet option works as usual.
if (!args.Any(a => a is "--job" or "-j"))
{
    args = [.. args, "--job", "short", "--inProcess"];
}

if (!args.Any(a => a is "--filter" or "-f" or "--list" or "--info" or "--help" or "-h"))
{
    args = [.. args, "--filter", "*"];
}

BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(args);
