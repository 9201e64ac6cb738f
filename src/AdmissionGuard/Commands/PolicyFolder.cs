using AdmissionGuard.Policies;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Commands;

/// <summary>
/// The one reader of policy and scan folders, for <c>check</c>, <c>report</c> and <c>serve --policies</c> (at start-up
/// and on every change): each manifest file (recursively, in name order) read into a set of its own with
/// <see cref="ManifestFiles"/>' size cap, so errors name the file; an object of any other kind is an error of its file.
/// </summary>
internal static class PolicyFolder
{
    /// <summary>What a policy or scan folder may hold; anything else is a mistake (a typo in a kind) that must not pass silently.</summary>
    public static readonly string[] Kinds = [HardenedImageSource.KindName, ImagePolicy.ClusterKind, ImagePolicy.NamespacedKind, ImageScan.KindName, "Namespace"];

    /// <summary>Every file of the policy folder, then of the scan folder (each a folder, a file, or <c>-</c>), each with its own set.</summary>
    public static IEnumerable<(string File, ManifestSet Set)> ReadEach(string policies, string? scans, TextReader stdin) =>
        ManifestFiles.ReadEach(policies, stdin).Concat(scans is null ? [] : ManifestFiles.ReadEach(scans, stdin));

    /// <summary>The manifest files that <see cref="ReadEach"/> reads from folders, in the same order (what a reload watches).</summary>
    public static IEnumerable<string> Files(string policies, string? scans) =>
        (scans is null ? [policies] : new[] { policies, scans }).Where(Directory.Exists).SelectMany(ManifestFiles.FilesIn);

    /// <summary>One error per object of <paramref name="set"/> that a policy folder may not hold.</summary>
    public static IEnumerable<string> NotAllowed(ManifestSet set) => set.Workloads.Select(NotAllowed);

    private static string NotAllowed(Manifest manifest)
    {
        var apiVersion = manifest.Object.ApiVersion ?? "";
        var known = Kinds.Contains(manifest.Kind, StringComparer.Ordinal);
        return known
            ? $"{manifest.Origin}: {manifest.Kind} has apiVersion \"{apiVersion}\"; expected {(manifest.Kind == "Namespace" ? "v1" : "admissionguard.io/v1alpha1")}"
            : $"{manifest.Origin}: unknown kind \"{manifest.Kind}\"; did you mean \"{Cli.Closest(manifest.Kind, Kinds)}\"? (a policy folder holds {string.Join(", ", Kinds)})";
    }
}
