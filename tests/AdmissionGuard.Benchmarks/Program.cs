using AdmissionGuard.Benchmarks;
using BenchmarkDotNet.Running;

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
