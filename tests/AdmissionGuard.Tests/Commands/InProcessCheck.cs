using AdmissionGuard.Commands;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Commands;

/// <summary>
/// <see cref="CheckCommand"/> called in the test process on a fixed clock: the example scans are dated
/// 2026-11-26 and production has a <c>maxAge</c>, so on the real clock the example verdicts change once they are old enough.
/// </summary>
internal static class InProcessCheck
{
    public static readonly string PolicyDir = Path.Combine(RepoPaths.Examples, "policies");
    public static readonly string ScanDir = Path.Combine(RepoPaths.Examples, "scans");
    public static readonly string WorkloadDir = Path.Combine(RepoPaths.Examples, "workloads");

    public static string Example(string name) => Path.Combine(WorkloadDir, name);

    public static (int Code, string Out, string Err) Run(string? stdin, params string[] args)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CheckCommand.Run(args, new StringReader(stdin ?? ""), stdout, stderr, time);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
