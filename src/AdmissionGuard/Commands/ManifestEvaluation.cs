using AdmissionGuard.Evaluation;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Commands;

/// <summary>
/// What <c>check</c> and <c>report</c> share offline: policies, scans and manifests read once, and every workload
/// judged as a cluster would judge it at admission (the mutating rewrite first, then validation).
/// </summary>
internal static class ManifestEvaluation
{
    /// <summary>Reads everything; null with every reason (file, field) when anything cannot be read or is invalid.</summary>
    public static (PolicyBundle Bundle, ManifestSet Workloads)? Load(IReadOnlyList<string> inputs, string policies, string? scans, GradeScale scale, TextReader stdin, out List<string> errors)
    {
        var bundle = PolicyBundle.Load(policies, scans, scale, stdin);
        var workloads = new ManifestSet();
        foreach (var input in inputs)
        {
            ManifestFiles.Read(input, workloads, stdin);
        }

        errors = [.. bundle.Errors, .. workloads.Errors];
        if (errors.Count != 0)
        {
            return null;
        }

        // Namespaces among the checked inputs label their namespaces too.
        foreach (var (name, labels) in workloads.NamespaceLabels)
        {
            bundle.Manifests.NamespaceLabels[name] = labels;
        }

        return (bundle, workloads);
    }

    public static List<CheckResult> Judge(PolicyBundle bundle, ManifestSet workloads, TimeProvider time)
    {
        var engine = new PolicyEngine(bundle.Scans, NoRegistryFacts.Instance, time);
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

        return results;
    }
}
