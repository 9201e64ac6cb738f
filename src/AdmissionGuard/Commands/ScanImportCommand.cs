using AdmissionGuard.Kubernetes;
using AdmissionGuard.Scans;
using AdmissionGuard.Scans.Importers;

namespace AdmissionGuard.Commands;

/// <summary>
/// <c>admissionguard scan import FILE|- [--format auto|trivy|grype|sarif|cyclonedx|trivy-operator] [--image REF] [--apply [--kubeconfig FILE]]</c>:
/// a scanner report in, ImageScan YAML out, or with <c>--apply</c> the ImageScan created or updated in the cluster.
/// Exit 0 on success, 2 for a report that cannot be used or a cluster that refuses the object.
/// </summary>
internal static class ScanImportCommand
{
    private const string Usage =
        "usage: admissionguard scan import FILE|- [--format auto|trivy|grype|sarif|cyclonedx|trivy-operator] [--image REF[@sha256:DIGEST]] [--apply [--kubeconfig FILE]]";

    /// <summary>How long <c>--apply</c> waits for the API server, all requests together.</summary>
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(30);

    /// <summary><paramref name="args"/> are the arguments after <c>scan import</c>.</summary>
    internal static Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, stdin, stdout, stderr, TimeProvider.System);

    internal static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider time, TimeSpan? applyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(time);

        string? file = null, format = "auto", image = null, kubeconfig = null;
        var apply = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inline) = arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains('=', StringComparison.Ordinal)
                ? (arg[..arg.IndexOf('=', StringComparison.Ordinal)], arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..])
                : (arg, null);
            switch (name)
            {
                case "-h" or "--help":
                    stdout.WriteLine(Usage);
                    return 0;
                case "--apply":
                    apply = true;
                    break;
                case "--format" or "--image" or "--kubeconfig":
                    var value = inline ?? (i + 1 < args.Count ? args[++i] : null);
                    if (string.IsNullOrEmpty(value))
                    {
                        return Fail(stderr, $"{name} needs a value\n{Usage}");
                    }

                    switch (name)
                    {
                        case "--format":
                            format = value;
                            break;
                        case "--image":
                            image = value;
                            break;
                        default:
                            kubeconfig = value;
                            break;
                    }

                    break;
                default:
                    if ((arg.StartsWith('-') && arg != "-") || file is not null)
                    {
                        return Fail(stderr, $"unexpected argument \"{arg}\"\n{Usage}");
                    }

                    file = arg;
                    break;
            }
        }

        if (file is null)
        {
            return Fail(stderr, $"no report given\n{Usage}");
        }

        if (kubeconfig is not null && !apply)
        {
            return Fail(stderr, "--kubeconfig only goes with --apply");
        }

        IScanReportImporter? chosen = null;
        if (!string.Equals(format, "auto", StringComparison.OrdinalIgnoreCase))
        {
            chosen = ScanReportImporters.ByName(format);
            if (chosen is null)
            {
                return Fail(stderr, $"unknown --format \"{format}\"; one of auto, {string.Join(", ", ScanReportImporters.All.Select(i => i.Name))}");
            }
        }

        string text;
        try
        {
            text = file == "-" ? stdin.ReadToEnd() : File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Fail(stderr, $"cannot read {file}: {e.Message}");
        }

        if (!ReportDocument.TryParse(text, out var document, out var parseError))
        {
            return Fail(stderr, $"{file}: {parseError}");
        }

        using (document)
        {
            var root = document!.RootElement;
            if (chosen is null)
            {
                var matching = ScanReportImporters.All.Where(i => i.CanRead(root)).ToList();
                if (matching.Count != 1)
                {
                    return Fail(stderr, matching.Count == 0
                        ? $"{file}: not a report format AdmissionGuard knows (trivy, grype, sarif, cyclonedx, trivy-operator); name it with --format"
                        : $"{file}: the report could be {string.Join(" or ", matching.Select(i => i.Name))}; name it with --format");
                }

                chosen = matching[0];
            }
            else if (!chosen.CanRead(root))
            {
                return Fail(stderr, $"{file}: not a {chosen.Name} report");
            }

            var result = chosen.Import(root, new ScanImportOptions(image, time.GetUtcNow(), GradeScale.Default));
            foreach (var warning in result.Warnings)
            {
                stderr.WriteLine("warning: " + warning);
            }

            if (result.Scan is null)
            {
                return Fail(stderr, $"{file}: {result.Error}");
            }

            if (!apply)
            {
                ImageScanYamlWriter.Write(result.Scan, stdout);
                return 0;
            }

            return await ApplyAsync(result.Scan, kubeconfig, applyTimeout ?? ApplyTimeout, stdout, stderr).ConfigureAwait(false);
        }
    }

    /// <summary>Creates or updates the ImageScan and prints what happened as kubectl apply does.</summary>
    private static async Task<int> ApplyAsync(ImageScan scan, string? kubeconfig, TimeSpan timeout, TextWriter stdout, TextWriter stderr)
    {
        using var client = KubeClientFactory.TryCreate(kubeconfig, out var error);
        if (client is null)
        {
            return Fail(stderr, error!);
        }

        var result = await new ImageScanApplier(new KubeApi(client), timeout).ApplyAsync(scan, CancellationToken.None).ConfigureAwait(false);
        if (result.Outcome is not { } outcome)
        {
            return Fail(stderr, result.Error!);
        }

        var done = outcome switch
        {
            ApplyOutcome.Created => "created",
            ApplyOutcome.Configured => "configured",
            _ => "unchanged",
        };
        stdout.WriteLine($"imagescan.admissionguard.io/{scan.Metadata!.Name} {done}");
        return 0;
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine("error: " + message);
        return 2;
    }
}
