namespace AdmissionGuard.Commands;

/// <summary>What <c>admissionguard report</c> was asked for (API.md section 5), as parsed by <see cref="ReportCommandLine"/>.</summary>
/// <param name="Inputs">Manifest files or folders (<c>-f</c>, <c>-</c> = stdin); empty = the cluster's running Pods.</param>
/// <param name="PoliciesDir">Policy folder, with <c>-f</c>.</param>
/// <param name="ScansDir">ImageScan folder, with <c>-f</c>.</param>
/// <param name="Kubeconfig">The cluster to read when no <c>-f</c> is given (default: $KUBECONFIG, ~/.kube/config, the service account).</param>
/// <param name="Format">html, json or markdown.</param>
/// <param name="OutputFile">Where to write the report; null = stdout.</param>
/// <param name="Stdin">What <c>-f -</c> reads.</param>
internal sealed record ReportOptions(
    IReadOnlyList<string> Inputs,
    string? PoliciesDir,
    string? ScansDir,
    string? Kubeconfig,
    string Format,
    string? OutputFile,
    TextReader Stdin);
