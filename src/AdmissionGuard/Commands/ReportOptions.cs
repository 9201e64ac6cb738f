namespace AdmissionGuard.Commands;

/// <summary>
/// The options of <c>admissionguard report [-f PATH|- --policies DIR [--scans DIR]] [--kubeconfig FILE]
/// [--output html|json|markdown] [-o FILE]</c>. With <see cref="Inputs"/> it reads manifests offline; without, a cluster.
/// </summary>
/// <param name="Inputs">Manifest files, directories or <c>-</c> (stdin), as <c>check</c> reads them.</param>
/// <param name="Output"><c>html</c> (the default), <c>json</c> or <c>markdown</c>.</param>
/// <param name="OutputFile">Where to write the report; null writes it to stdout.</param>
internal sealed record ReportOptions(
    IReadOnlyList<string> Inputs,
    string? Policies = null,
    string? Scans = null,
    string? Kubeconfig = null,
    string Output = "html",
    string? OutputFile = null,
    string? GradeScale = null)
{
    /// <summary>Read for <c>-f -</c>; Console.In when null.</summary>
    public TextReader? Stdin { get; init; }

    /// <summary>The clock for exception expiry; the system clock when null.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>How long the cluster may take to answer everything; 60 s when null.</summary>
    public TimeSpan? ClusterTimeout { get; init; }
}
