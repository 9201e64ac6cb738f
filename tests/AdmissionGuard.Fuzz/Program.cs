using AdmissionGuard.Fuzz;
using SharpFuzz;

// One executable, one target per run: afl-fuzz starts it as `AdmissionGuard.Fuzz <target>` and
// feeds inputs through SharpFuzz's fork-server loop. Only an exception that escapes counts as a crash.
if (args.Length != 1 || !FuzzTargets.TryGet(args[0], out var target))
{
    Console.Error.WriteLine($"usage: AdmissionGuard.Fuzz <{string.Join('|', FuzzTargets.Names)}>");
    return 2;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
});
return 0;
