using System.CommandLine;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Scans;
using AdmissionGuard.Scans.Importers;

namespace AdmissionGuard.Commands;

/// <summary>
/// <c>admissionguard scan import FILE|- [--format auto|trivy|grype|sarif|cyclonedx|trivy-operator] [--image REF] [--grade X | --grade-scale FILE] [--apply [--kubeconfig FILE]]</c>:
/// a scanner report in, ImageScan YAML out, or with <c>--apply</c> the ImageScan created or updated in the cluster.
/// Exit 0 on success, 2 for a report that cannot be used or a cluster that refuses the object.
/// </summary>
internal static class ScanImportCommand
{
    /// <summary>How long <c>--apply</c> waits for the API server, all requests together.</summary>
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(30);

    /// <summary><c>scan</c> with its one subcommand, <c>import</c>.</summary>
    public static Command CreateScan(TextReader stdin, TimeProvider? time = null, TimeSpan? applyTimeout = null) =>
        new("scan", "Work with scanner reports.") { Create(stdin, time, applyTimeout) };

    public static Command Create(TextReader stdin, TimeProvider? time = null, TimeSpan? applyTimeout = null)
    {
        var formats = ScanReportImporters.All.Select(i => i.Name).Prepend("auto").ToArray();
        var command = new Command("import", "Turn a scanner report into ImageScan YAML on stdout, or create/update it in the cluster with --apply.")
        {
            new Argument<string>("FILE") { Description = "The scanner report (JSON), or - for stdin." },
            new Option<string>("--format") { HelpName = "FORMAT", Description = $"Report format: {string.Join(", ", formats)} (auto: recognised from the content).", DefaultValueFactory = _ => "auto" },
            new Option<string>("--image") { HelpName = "REF[@sha256:DIGEST]", Description = "The image the report is of, when the report does not say or holds several." },
            new Option<string>("--grade") { HelpName = "A-F", Description = "Write this grade into the ImageScan; without it (and without --grade-scale) the cluster's grade scale grades the counts." },
            new Option<string>("--grade-scale") { HelpName = "FILE", Description = "Write the grade this YAML scale computes from the counts into the ImageScan (excludes --grade)." },
            new Option<bool>("--apply") { Description = "Create or update the ImageScan in the cluster instead of printing it." },
            new Option<string>("--kubeconfig") { HelpName = "FILE", Description = "With --apply: the cluster to write to (default: $KUBECONFIG, ~/.kube/config, or the pod's service account)." },
        };
        command.Options.First(o => o.Name == "--format").Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } value && !formats.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                r.AddError($"unknown --format \"{value}\"; one of {string.Join(", ", formats)}");
            }
        });
        command.Options.First(o => o.Name == "--grade").Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } value && value is not ("A" or "B" or "C" or "D" or "E" or "F"))
            {
                r.AddError($"--grade \"{value}\" is not a grade (A, B, C, D, E or F)");
            }
        });
        command.SetAction((result, _) => RunAsync(result, stdin, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, time ?? TimeProvider.System, applyTimeout ?? ApplyTimeout));
        return command;
    }

    /// <summary><paramref name="args"/> are the arguments after <c>scan import</c>.</summary>
    internal static Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, stdin, stdout, stderr, TimeProvider.System);

    internal static Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider time, TimeSpan? applyTimeout = null) =>
        Cli.RunAsync(CreateScan(stdin, time, applyTimeout).Subcommands[0], args, stdout, stderr);

    private static async Task<int> RunAsync(ParseResult line, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider time, TimeSpan applyTimeout)
    {
        var file = line.GetValue<string>("FILE")!;
        var format = line.Value("--format")!;
        var image = line.Value("--image");
        var kubeconfig = line.Value("--kubeconfig");
        var apply = line.GetValue<bool>("--apply");
        var grade = line.Value("--grade");
        var scalePath = line.Value("--grade-scale");
        if (kubeconfig is not null && !apply)
        {
            return Fail(stderr, "--kubeconfig only goes with --apply");
        }

        if (grade is not null && scalePath is not null)
        {
            return Fail(stderr, "--grade and --grade-scale exclude each other: give the grade, or the scale that computes it");
        }

        var scale = ScanFactsLoader.LoadScale(scalePath, out var scaleError);
        if (scale is null)
        {
            return Fail(stderr, scaleError!);
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

            var result = chosen.Import(root, new ScanImportOptions(image, time.GetUtcNow(), scale));
            foreach (var warning in result.Warnings)
            {
                stderr.WriteLine("warning: " + warning);
            }

            if (result.Scan is null)
            {
                return Fail(stderr, $"{file}: {result.Error}");
            }

            // A grade written into the ImageScan wins over the cluster's scale, so it is written only when asked for.
            result.Scan.Spec!.Grade = grade ?? (scalePath is not null ? result.Scan.Spec.Grade : null);
            if (!apply)
            {
                ImageScanYamlWriter.Write(result.Scan, stdout);
                return 0;
            }

            return await ApplyAsync(result.Scan, kubeconfig, applyTimeout, stdout, stderr).ConfigureAwait(false);
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
