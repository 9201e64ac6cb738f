using AdmissionGuard.Commands;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Hosting;

/// <summary>
/// Local mode: reads policy and scan YAML from directories with <see cref="PolicyFolder"/> (what <c>check</c> reads, with
/// the same size cap and allowed kinds) and reloads on change. A file or object that becomes invalid keeps its last
/// good version, and the error is logged with the file and field path.
/// </summary>
internal sealed class LocalPolicyLoader(LocalPolicyOptions options, AdmissionStateStore store, ILogger<LocalPolicyLoader> logger) : BackgroundService
{
    private readonly string policiesDir = options.PoliciesDir;
    private readonly string? scansDir = options.ScansDir;
    private readonly GradeScale scale = options.Scale;
    private readonly Dictionary<string, LoadedFile> lastGoodFiles = new(StringComparer.Ordinal);
    private readonly LastGoodCompiler compiler = new();
    private string fingerprint = "";

    /// <summary>Loads once, synchronously, so the server is ready before it listens.</summary>
    public void LoadNow()
    {
        var current = Fingerprint();
        fingerprint = current;
        Reload();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A FileSystemWatcher misses Kubernetes ConfigMap symlink swaps and some editors' renames; polling a
        // fingerprint of names, sizes and times is simple and always right.
        using var timer = new PeriodicTimer(options.PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var current = Fingerprint();
                if (current != fingerprint)
                {
                    fingerprint = current;
                    Reload();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A reload that fails must never end the loop: an exception here would stop the whole host.
                logger.LogError(e, "reading policies failed, keeping the last good state: {Error}", e.Message);
            }
        }
    }

    private string Fingerprint()
    {
        var builder = new System.Text.StringBuilder();
        foreach (var file in Files())
        {
            var info = new FileInfo(file);
            builder.Append(file).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return builder.ToString();
    }

    private IEnumerable<string> Files() => PolicyFolder.Files(policiesDir, scansDir);

    private void Reload()
    {
        var sources = new List<HardenedImageSource>();
        var policies = new List<ImagePolicy>();
        var scans = new List<ScanRecord>();
        var namespaceLabels = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, set) in PolicyFolder.ReadEach(policiesDir, scansDir, TextReader.Null))
        {
            seen.Add(file);
            // A kind the folder may not hold (a typo such as "ClusterImagePolicyy") would otherwise vanish silently.
            set.Errors.AddRange(PolicyFolder.NotAllowed(set));
            LoadedFile? loaded;
            if (set.Errors.Count != 0)
            {
                foreach (var error in set.Errors)
                {
                    logger.LogError("policy file is invalid, keeping its last good version: {Error}", error);
                }

                if (!lastGoodFiles.TryGetValue(file, out loaded))
                {
                    continue;
                }
            }
            else
            {
                loaded = LoadedFile.Of(set, scale);
                lastGoodFiles[file] = loaded;
            }

            foreach (var error in loaded.ScanErrors)
            {
                logger.LogError("scan is invalid and not used: {Error}", error);
            }

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

        var snapshot = CompileKeepingLastGood(sources, policies);
        var index = ScanIndex.Of(scans);
        store.Swap(new AdmissionState(snapshot, index, namespaceLabels, true));
        LoadingMemory.ReturnAfter(scans.Count);
        logger.LogInformation("loaded {Policies} policies, {Sources} hardened image sources, {Scans} scans from {Dir}", snapshot.PolicyCount, snapshot.SourceCount, index.Count, policiesDir);
    }

    private PolicySnapshot CompileKeepingLastGood(List<HardenedImageSource> sources, List<ImagePolicy> policies)
    {
        var snapshot = compiler.Compile(sources, policies);
        foreach (var error in snapshot.Errors)
        {
            logger.LogError("policy is invalid, keeping its last good version if any: {Error}", error.ToString());
        }

        return snapshot;
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
