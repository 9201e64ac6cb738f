using AdmissionGuard.Fuzz;
using SharpFuzz;

// One executable, one target per run: afl-fuzz starts it as `AdmissionGuard.Fuzz <target>` and
// feeds inputs through SharpFuzz's fork-server loop. Only an exception that escapes counts as a crash.
if (args.Length != 1 || !FuzzTargets.TryGet(args[0], out var factory))
{
    Console.Error.WriteLine($"usage: AdmissionGuard.Fuzz <{string.Join('|', FuzzTargets.Names)}>");
    return 2;
}

// Instrumented code must not run before Fuzzer.OutOfProcess.Run maps AFL's coverage memory (it would
// write through a null map and die), so a target's fixed state is built inside the loop, on the first input.
Action<ReadOnlyMemory<byte>>? target = null;
Fuzzer.OutOfProcess.Run(stream =>
{
    target ??= factory();
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
});
return 0;
