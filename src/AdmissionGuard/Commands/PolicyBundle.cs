using AdmissionGuard.Policies;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Commands;

/// <summary>Policies, scans and namespace labels read from directories, compiled once.</summary>
internal sealed record PolicyBundle(PolicySnapshot Snapshot, IScanFacts Scans, ManifestSet Manifests, IReadOnlyList<string> Errors)
{
    /// <summary>What a policy or scan folder may hold; anything else is a mistake (a typo in a kind) that must not pass silently.</summary>
    private static readonly string[] FolderKinds = [HardenedImageSource.KindName, ImagePolicy.ClusterKind, ImagePolicy.NamespacedKind, ImageScan.KindName, "Namespace"];

    public static PolicyBundle Load(string policiesDir, string? scansDir, GradeScale scale, TextReader stdin)
    {
        var set = new ManifestSet();
        ManifestFiles.Read(policiesDir, set, stdin);
        if (scansDir is not null)
        {
            ManifestFiles.Read(scansDir, set, stdin);
        }

        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        var scans = ScanFactsLoader.Build(set.Scans, scale, out var scanErrors);
        var errors = new List<string>(set.Errors);
        errors.AddRange(set.Workloads.Select(UnknownKind));
        errors.AddRange(snapshot.Errors.Select(e => e.ToString()));
        errors.AddRange(scanErrors);
        return new PolicyBundle(snapshot, scans, set, errors);
    }

    private static string UnknownKind(Manifest manifest)
    {
        var apiVersion = manifest.Object.ApiVersion ?? "";
        var known = FolderKinds.Contains(manifest.Kind, StringComparer.Ordinal);
        return known
            ? $"{manifest.Origin}: {manifest.Kind} has apiVersion \"{apiVersion}\"; expected {(manifest.Kind == "Namespace" ? "v1" : "admissionguard.io/v1alpha1")}"
            : $"{manifest.Origin}: unknown kind \"{manifest.Kind}\"; did you mean \"{Cli.Closest(manifest.Kind, FolderKinds)}\"? (a policy folder holds {string.Join(", ", FolderKinds)})";
    }
}
