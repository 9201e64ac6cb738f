using System.CommandLine;

namespace AdmissionGuard.Commands;

/// <summary>The options of <c>admissionguard report</c> (API.md section 5); the work is <see cref="ReportCommand.RunAsync"/>.</summary>
internal static class ReportCommandLine
{
    private static readonly string[] Formats = ["html", "json", "markdown"];

    public static Command Create(TextReader stdin)
    {
        var format = new Option<string>("--output") { HelpName = "FORMAT", Description = "html (one self-contained file), json or markdown.", DefaultValueFactory = _ => "html" };
        format.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } value && !Formats.Contains(value))
            {
                r.AddError($"--output {value} is not supported (html, json or markdown)");
            }
        });
        var command = new Command("report", "The adoption picture: hardened share, grades, images to fix first, expiring exceptions; from manifests or a cluster.")
        {
            new Option<string[]>("--filename", "-f") { HelpName = "PATH|-", Description = "Manifest file or folder, or - for stdin; repeatable. Without it, the cluster's running Pods are read.", Arity = ArgumentArity.OneOrMore },
            new Option<string>("--policies") { HelpName = "DIR", Description = "Folder of policy YAML (with -f)." },
            new Option<string>("--scans") { HelpName = "DIR", Description = "Folder of ImageScan YAML (with -f)." },
            new Option<string>("--kubeconfig") { HelpName = "FILE", Description = "The cluster to read (default: $KUBECONFIG, ~/.kube/config, or the pod's service account)." },
            format,
            new Option<string>("-o") { HelpName = "FILE", Description = "Write the report to FILE instead of stdout." },
            new Option<string>("--grade-scale") { HelpName = "FILE", Description = "Grade thresholds (YAML), as serve and check take them." },
        };
        command.SetAction((result, _) => ReportCommand.RunAsync(
            new ReportOptions(
                result.Values("--filename"),
                result.Value("--policies"),
                result.Value("--scans"),
                result.Value("--kubeconfig"),
                result.Value("--output")!,
                result.Value("-o"),
                result.Value("--grade-scale"))
            {
                Stdin = stdin,
            },
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }
}
