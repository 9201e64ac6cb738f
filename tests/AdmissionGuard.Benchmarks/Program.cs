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
