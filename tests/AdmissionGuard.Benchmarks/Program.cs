using AdmissionGuard.Benchmarks;
using BenchmarkDotNet.Running;

// --allocations [POLICIES]: the per-stage allocation split (AllocationBreakdown), no BenchmarkDotNet run.
if (args is ["--allocations", ..])
{
    AllocationBreakdown.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1);
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
