using AdmissionGuard.Evaluation;
using AdmissionGuard.Registry;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Commands;

/// <summary><c>admissionguard check</c>: the webhook's engine, offline, for CI pipelines.</summary>
internal static class CheckCommand
{
    public const int Allowed = 0;
    public const int Denied = 1;
    public const int BadInput = 2;

    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider? time = null)
    {
        var line = CommandLine.Parse(args, ["-f", "--filename", "--policies", "--scans", "--output", "-o", "--grade-scale"], [], out var error);
        var inputs = line.Values("-f").Concat(line.Values("--filename")).ToList();
        var policies = line.Value("--policies");
        var output = line.Value("--output") ?? line.Value("-o") ?? "text";
        error ??= line.Positional.Count != 0 ? $"unexpected argument {line.Positional[0]}"
            : inputs.Count == 0 ? "-f PATH|- is required"
            : policies is null ? "--policies DIR is required"
            : output is not ("text" or "json" or "sarif" or "junit") ? $"--output {output} is not supported (text, json, sarif or junit)"
            : null;
        if (error is not null)
        {
            stderr.WriteLine($"admissionguard check: {error}");
            stderr.WriteLine("usage: admissionguard check -f PATH|- [-f ...] --policies DIR [--scans DIR] [--grade-scale FILE] [--output text|json|sarif|junit]");
            return BadInput;
        }

        var scale = ScanFactsLoader.LoadScale(line.Value("--grade-scale"), out var scaleError);
        if (scale is null)
        {
            stderr.WriteLine($"admissionguard check: {scaleError}");
            return BadInput;
        }

        var bundle = PolicyBundle.Load(policies!, line.Value("--scans"), scale, stdin);
        var workloads = new ManifestSet();
        foreach (var input in inputs)
        {
            ManifestFiles.Read(input, workloads, stdin);
        }

        var errors = bundle.Errors.Concat(workloads.Errors).ToList();
        if (errors.Count != 0)
        {
            foreach (var e in errors)
            {
                stderr.WriteLine($"admissionguard check: {e}");
            }

            return BadInput;
        }

        // Namespaces among the checked inputs label their namespaces too.
        foreach (var (name, labels) in workloads.NamespaceLabels)
        {
            bundle.Manifests.NamespaceLabels[name] = labels;
        }

        var engine = new PolicyEngine(bundle.Scans, NoRegistryFacts.Instance, time ?? TimeProvider.System);
        var results = new List<CheckResult>();
        foreach (var manifest in workloads.Workloads)
        {
            var ns = manifest.Object.Metadata?.Namespace ?? "default";
            // As in a cluster, where the mutating webhook rewrites first: an image that will be replaced is judged
            // as its replacement, while messages still name the image as written.
            var input = new EvaluationInput(manifest.Kind, manifest.Object, ns, bundle.Manifests.LabelsOf(ns), JudgeRewritten: true);
            var mutation = engine.Evaluate(bundle.Snapshot, input, EvaluationPurpose.Mutate);
            var verdict = engine.Evaluate(bundle.Snapshot, input, EvaluationPurpose.Validate);
            results.Add(new CheckResult(manifest, ns, verdict, mutation.Rewrites));
        }

        switch (output)
        {
            case "json":
                CheckReport.WriteJson(results, stdout);
                break;
            case "sarif":
                SarifReport.Write(results, stdout);
                break;
            case "junit":
                JUnitReport.Write(results, stdout);
                break;
            default:
                CheckReport.WriteText(results, stdout);
                break;
        }

        return results.Exists(r => !r.Verdict.Allowed) ? Denied : Allowed;
    }
}
