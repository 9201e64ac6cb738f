using AdmissionGuard.Policies;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Commands;

/// <summary>Policies, scans and namespace labels read from directories, compiled once.</summary>
internal sealed record PolicyBundle(PolicySnapshot Snapshot, IScanFacts Scans, ManifestSet Manifests, IReadOnlyList<string> Errors)
{
    public static PolicyBundle Load(string policiesDir, string? scansDir, GradeScale scale, TextReader stdin)
    {
        var set = new ManifestSet();
        // Compile errors name an object; the file it came from is what a person opens to fix it.
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, part) in PolicyFolder.ReadEach(policiesDir, scansDir, stdin))
        {
            foreach (var source in part.Sources)
            {
                files.TryAdd($"{source.Kind ?? HardenedImageSource.KindName}/{source.Metadata?.Name}", file);
            }

            foreach (var policy in part.Policies)
            {
                files.TryAdd(policy.Metadata?.Namespace is { } ns && policy.Kind == ImagePolicy.NamespacedKind ? $"{policy.Kind}/{ns}/{policy.Metadata.Name}" : $"{policy.Kind}/{policy.Metadata?.Name}", file);
            }

            set.Sources.AddRange(part.Sources);
            set.Policies.AddRange(part.Policies);
            set.Scans.AddRange(part.Scans);
            set.Workloads.AddRange(part.Workloads);
            set.Errors.AddRange(part.Errors);
            foreach (var (name, labels) in part.NamespaceLabels)
            {
                set.NamespaceLabels[name] = labels;
            }
        }

        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        var scans = ScanFactsLoader.Build(set.Scans, scale, out var scanErrors);
        var errors = new List<string>(set.Errors);
        errors.AddRange(PolicyFolder.NotAllowed(set));
        errors.AddRange(snapshot.Errors.Select(e => files.TryGetValue(e.ObjectId, out var file) ? $"{file}: {e}" : e.ToString()));
        errors.AddRange(scanErrors);
        return new PolicyBundle(snapshot, scans, set, errors);
    }
}
