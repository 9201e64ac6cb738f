namespace AdmissionGuard.Commands;

/// <summary><c>admissionguard report</c>: the adoption picture. A placeholder until the report lands.</summary>
internal static class ReportCommand
{
    public static Task<int> RunAsync(ReportOptions options, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        stderr.WriteLine("admissionguard report: report is not available yet");
        return Task.FromResult(Cli.BadInput);
    }
}
