using System.Text.Json;
using AdmissionGuard.Hosting;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;
using AdmissionGuard.Scans.Importers;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Cluster mode's feed: watches the policy kinds, ImageScans, Namespaces and (when asked and installed)
/// trivy-operator reports; after any change, debounced, rebuilds and swaps one immutable
/// <see cref="AdmissionState"/>. Nothing is swapped in before every watcher's first full list, so readiness
/// means "judging with the whole cluster's policies". The leader then brings status conditions up to date.
/// </summary>
internal sealed class ClusterPolicySource : SupervisedService
{
    private readonly AdmissionStateStore store;
    private readonly ClusterModeOptions options;
    private readonly ILeadership leadership;
    private readonly PolicyStatusWriter statusWriter;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ResourceWatcher<HardenedImageSource> sources;
    private readonly ResourceWatcher<ImagePolicy> clusterPolicies;
    private readonly ResourceWatcher<ImagePolicy> policies;
    private readonly ResourceWatcher<ScanRecord> scans;
    private readonly ResourceWatcher<Dictionary<string, string>> namespaces;
    private readonly ResourceWatcher<ScanRecord>[] reports;
    private readonly ClusterPullSecrets? pullSecrets;
    private readonly SemaphoreSlim signal = new(0);
    private readonly LastGoodCompiler compiler = new();
    private int pending;
    private int scansDirty = 1;
    private IScanFacts scanFacts = ScanIndex.Empty;
    private bool statusRetryScheduled;

    /// <param name="pullSecrets">Watched here too, so that readiness also waits for the pull secrets (<c>--workload-pull-secrets</c>).</param>
    public ClusterPolicySource(KubeApi api, AdmissionStateStore store, ClusterModeOptions options, ILeadership leadership, TimeProvider time, ILoggerFactory loggers, ClusterPullSecrets? pullSecrets = null,
        ServiceHealth? health = null, IHostApplicationLifetime? lifetime = null)
        : base("policy watch", time, loggers.CreateLogger<ClusterPolicySource>(), health, lifetime)
    {
        this.pullSecrets = pullSecrets;
        this.store = store;
        this.options = options;
        this.leadership = leadership;
        this.time = time;
        logger = loggers.CreateLogger<ClusterPolicySource>();
        statusWriter = new PolicyStatusWriter(api, time, loggers.CreateLogger<PolicyStatusWriter>());
        var watchLogger = loggers.CreateLogger<ResourceWatcher<object>>();
        sources = new(api, ResourcePath.HardenedImageSources, ObjectDecoder.HardenedImageSource, time, watchLogger, options.Watch);
        clusterPolicies = new(api, ResourcePath.ClusterImagePolicies, ObjectDecoder.ImagePolicy, time, watchLogger, options.Watch);
        policies = new(api, ResourcePath.ImagePolicies, ObjectDecoder.ImagePolicy, time, watchLogger, options.Watch);
        // The watch cache keeps each scan as the index's compact record, not the object: a cluster may hold a hundred
        // thousand. An invalid one is logged once, by the watcher, with why.
        scans = new(api, ResourcePath.ImageScans, e => Checked(e.Deserialize(AgJsonContext.Default.ImageScan)!), time, watchLogger, options.Watch);
        namespaces = new(api, ResourcePath.Namespaces, e => ClusterStateBuilder.NamespaceLabels(e.GetProperty("metadata").Deserialize(AgJsonContext.Default.ObjectMeta)!), time, watchLogger, options.Watch);
        reports = options.TrivyOperatorReports
            ? [new(api, ResourcePath.VulnerabilityReports, ReportToScan, time, watchLogger, options.Watch, optional: true),
               new(api, ResourcePath.ClusterVulnerabilityReports, ReportToScan, time, watchLogger, options.Watch, optional: true)]
            : [];

        foreach (var watcher in new Action<Action>[] { a => sources.Changed += a, a => clusterPolicies.Changed += a, a => policies.Changed += a, a => namespaces.Changed += a })
        {
            watcher(Signal);
        }

        foreach (var watcher in reports.Append(scans))
        {
            watcher.Changed += () =>
            {
                Volatile.Write(ref scansDirty, 1);
                Signal();
            };
        }

        leadership.LeadershipChanged += leader =>
        {
            if (leader)
            {
                statusWriter.Reset();
                Signal();
            }
        };
    }

    /// <summary>Completes when every watcher has made its first full list (optional absent ones count).</summary>
    public Task Synced => Task.WhenAll([sources.Synced, clusterPolicies.Synced, policies.Synced, scans.Synced, namespaces.Synced, .. reports.Select(r => r.Synced), pullSecrets?.Synced ?? Task.CompletedTask]);

    public override void Dispose()
    {
        signal.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// The watchers and the rebuild loop run together; when any of them fails, the others are stopped and the
    /// supervisor restarts them all (the caches and the last swapped snapshot survive, so admission never notices).
    /// </summary>
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var token = run.Token;
        var running = new List<Task>
        {
            sources.RunAsync(token), clusterPolicies.RunAsync(token), policies.RunAsync(token),
            scans.RunAsync(token), namespaces.RunAsync(token),
        };
        running.AddRange(reports.Select(r => r.RunAsync(token)));
        if (pullSecrets is not null)
        {
            running.AddRange(pullSecrets.Run(token));
            _ = pullSecrets.Synced.ContinueWith(_ => Signal(), token, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }

        running.Add(RebuildLoopAsync(token));

        // The first to end (a failure, or all of them on shutdown) stops the rest.
        var first = await Task.WhenAny(running).ConfigureAwait(false);
        await run.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !first.IsFaulted)
        {
        }
        catch (Exception) when (first.IsFaulted)
        {
            // Reported below, from the task that failed first.
        }

        if (first.IsFaulted)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first.Exception!.InnerException!);
        }
    }

    private async Task RebuildLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            // A restart rebuilds at once: the caches may have moved while the loop was down.
            Signal();
            while (!stoppingToken.IsCancellationRequested)
            {
                await signal.WaitAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(options.Debounce, time, stoppingToken).ConfigureAwait(false);

                // Reset before reading the caches: a change from here on triggers another round.
                Volatile.Write(ref pending, 0);
                while (signal.CurrentCount > 0)
                {
                    await signal.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                if (!Synced.IsCompletedSuccessfully)
                {
                    continue;
                }

                var built = Rebuild();
                var first = !store.Current.Loaded;
                store.Swap(built.State);
                if (first)
                {
                    logger.LogInformation("cluster synced: {Policies} policies, {Sources} hardened image sources, {Scans} scans, {Namespaces} namespaces; ready",
                        built.State.Snapshot.PolicyCount, built.State.Snapshot.SourceCount, built.State.Scans.Count, built.State.NamespaceLabels.Count);
                }

                if (leadership.IsLeader && !await statusWriter.WriteAsync(built.StatusTargets, stoppingToken).ConfigureAwait(false))
                {
                    ScheduleStatusRetry(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private ClusterState Rebuild()
    {
        if (Interlocked.Exchange(ref scansDirty, 0) == 1)
        {
            scanFacts = ScanIndex.Of(scans.Items.Concat(reports.SelectMany(r => r.Items)).Where(s => s.Value is not null).Select(s => s.Value!));
        }

        return ClusterStateBuilder.Build(sources.Items, clusterPolicies.Items, policies.Items, namespaces.Items, scanFacts, compiler);
    }

    private void Signal()
    {
        if (Interlocked.Exchange(ref pending, 1) == 0)
        {
            signal.Release();
        }
    }

    private void ScheduleStatusRetry(CancellationToken stoppingToken)
    {
        if (statusRetryScheduled)
        {
            return;
        }

        statusRetryScheduled = true;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(options.Watch.InitialBackoff * 10, time, stoppingToken).ConfigureAwait(false);
                statusRetryScheduled = false;
                Signal();
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    private ScanRecord ReportToScan(JsonElement report)
    {
        var result = new TrivyOperatorImporter().Import(report, new ScanImportOptions(null, time.GetUtcNow(), options.Scale));
        return Checked(result.Scan ?? throw new InvalidDataException(result.Error ?? "not a usable trivy-operator report"));
    }

    private ScanRecord Checked(ImageScan scan) =>
        ScanIndex.ToRecord(scan, options.Scale, out var error) ?? throw new CheckFailedException(error!);
}
