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
        ManifestFiles.Read(policiesDir, set, stdin);
        if (scansDir is not null)
        {
            ManifestFiles.Read(scansDir, set, stdin);
        }

        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        var scans = ScanFactsLoader.Build(set.Scans, scale, out var scanErrors);
        var errors = new List<string>(set.Errors);
        errors.AddRange(snapshot.Errors.Select(e => e.ToString()));
        errors.AddRange(scanErrors);
        return new PolicyBundle(snapshot, scans, set, errors);
    }
}
