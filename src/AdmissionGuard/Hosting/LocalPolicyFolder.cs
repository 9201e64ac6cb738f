using AdmissionGuard.Commands;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Hosting;

/// <summary>
/// Local mode's policy and scan folders as last read, with <see cref="PolicyFolder"/> (what <c>check</c> reads, with the
/// same size cap and allowed kinds). A file or object that becomes invalid keeps its last good version. <c>serve</c> reads
/// it once before the host starts and refuses to start on any problem (<see cref="ReadFirst"/>); the loader's first load
/// takes that read rather than reading every file again, which with a hundred thousand scans was most of the start.
/// Not thread-safe: read by the start, then by <see cref="LocalPolicyLoader"/>'s loop alone.
/// </summary>
internal sealed class LocalPolicyFolder(LocalPolicyOptions options)
{
    private readonly Dictionary<string, LoadedFile> lastGoodFiles = new(StringComparer.Ordinal);
    private readonly LastGoodCompiler compiler = new();
    private string fingerprint = "";
    private FolderRead? first;

    public LocalPolicyOptions Options => options;

    /// <summary>The folders of <c>serve --policies</c> (and <c>--scans</c>); null in cluster mode.</summary>
    public static LocalPolicyFolder? For(ServeSettings settings) =>
        settings.PoliciesDir is { } policies ? new(new LocalPolicyOptions(policies, settings.ScansDir, settings.GradeScale)) : null;

    /// <summary>Reads both folders; each problem found is one line, and any problem means the server must not start.</summary>
    public IReadOnlyList<string> ReadFirst()
    {
        first = Read(Fingerprint());
        return [.. first.Problems.Select(p => p.Text)];
    }

    /// <summary>The read <see cref="ReadFirst"/> made, once; otherwise a read now.</summary>
    public FolderRead ReadNow()
    {
        var read = first ?? Read(Fingerprint());
        first = null;
        return read;
    }

    /// <summary>A new read when a file was added, removed or changed since the last one; otherwise null.</summary>
    public FolderRead? ReadIfChanged()
    {
        // A FileSystemWatcher misses Kubernetes ConfigMap symlink swaps and some editors' renames; a fingerprint of
        // names, sizes and times is simple and always right.
        var current = Fingerprint();
        return current == fingerprint ? null : Read(current);
    }

    private string Fingerprint()
    {
        var builder = new System.Text.StringBuilder();
        foreach (var file in PolicyFolder.Files(options.PoliciesDir, options.ScansDir))
        {
            var info = new FileInfo(file);
            builder.Append(file).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return builder.ToString();
    }

    private FolderRead Read(string current)
    {
        // Taken before reading: a file changed while it is read is read again on the next poll.
        fingerprint = current;
        var problems = new List<FolderProblem>();
        var sources = new List<HardenedImageSource>();
        var policies = new List<ImagePolicy>();
        var scans = new List<ScanRecord>();
        var namespaceLabels = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var files = new ObjectFiles();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, set) in PolicyFolder.ReadEach(options.PoliciesDir, options.ScansDir, TextReader.Null))
        {
            seen.Add(file);
            // A kind the folder may not hold (a typo such as "ClusterImagePolicyy") would otherwise vanish silently.
            set.Errors.AddRange(PolicyFolder.NotAllowed(set));
            LoadedFile? loaded;
            if (set.Errors.Count != 0)
            {
                problems.AddRange(set.Errors.Select(e => new FolderProblem(FolderProblemKind.File, e)));
                if (!lastGoodFiles.TryGetValue(file, out loaded))
                {
                    continue;
                }
            }
            else
            {
                loaded = LoadedFile.Of(set, options.Scale);
                lastGoodFiles[file] = loaded;
            }

            problems.AddRange(loaded.ScanErrors.Select(e => new FolderProblem(FolderProblemKind.Scan, $"{file}: {e}")));
            files.Add(file, loaded.Sources, loaded.Policies);
            sources.AddRange(loaded.Sources);
            policies.AddRange(loaded.Policies);
            scans.AddRange(loaded.Scans);
            foreach (var (ns, labels) in loaded.NamespaceLabels)
            {
                namespaceLabels[ns] = labels;
            }
        }

        foreach (var gone in lastGoodFiles.Keys.Where(f => !seen.Contains(f)).ToList())
        {
            lastGoodFiles.Remove(gone);
        }

        var snapshot = compiler.Compile(sources, policies);
        problems.AddRange(snapshot.Errors.Select(e => new FolderProblem(FolderProblemKind.Policy, files.Describe(e))));
        var state = new AdmissionState(snapshot, ScanIndex.Of(scans), namespaceLabels, true);
        LoadingMemory.ReturnAfter(scans.Count);
        return new FolderRead(state, problems);
    }

    /// <summary>
    /// What a good file contributes, kept as its last good version. Scans are kept as the index's compact records, not
    /// as the objects read: a scans folder may hold a hundred thousand of them.
    /// </summary>
    private sealed record LoadedFile(
        List<HardenedImageSource> Sources,
        List<ImagePolicy> Policies,
        Dictionary<string, Dictionary<string, string>> NamespaceLabels,
        ScanRecord[] Scans,
        string[] ScanErrors)
    {
        public static LoadedFile Of(ManifestSet set, GradeScale scale)
        {
            var errors = new List<ScanValidationError>();
            var scans = ScanIndex.Records(set.Scans, scale, errors);
            return new LoadedFile(set.Sources, set.Policies, set.NamespaceLabels, [.. scans], [.. errors.Select(e => e.ToString())]);
        }
    }
}

/// <summary>One read of the folders: the state to serve (last good versions in place of invalid ones) and what was wrong.</summary>
internal sealed record FolderRead(AdmissionState State, IReadOnlyList<FolderProblem> Problems);

internal enum FolderProblemKind
{
    /// <summary>A file that cannot be read or holds what a policy folder may not: it keeps its last good version.</summary>
    File,

    /// <summary>An ImageScan that is invalid: it is not used.</summary>
    Scan,

    /// <summary>A policy or source that does not compile: it keeps its last good version, if it had one.</summary>
    Policy,
}

internal sealed record FolderProblem(FolderProblemKind Kind, string Text);
