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
        var files = new ObjectFiles();
        foreach (var (file, part) in PolicyFolder.ReadEach(policiesDir, scansDir, stdin))
        {
            files.Add(file, part.Sources, part.Policies);
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
        errors.AddRange(snapshot.Errors.Select(files.Describe));
        errors.AddRange(scanErrors);
        return new PolicyBundle(snapshot, scans, set, errors);
    }
}
