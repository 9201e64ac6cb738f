using System.Text.Json;
using System.Threading.Channels;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Kubernetes;
using AdmissionGuard.Registry;
using AdmissionGuard.Telemetry;

namespace AdmissionGuard.Audit;

/// <summary>
/// Cluster mode, leader only: every interval, and shortly after a policy, scan or namespace change, pages through
/// all Pods (<c>limit</c>/<c>continue</c>), judges them with the admission snapshot of that moment, and writes one
/// PolicyReport per namespace and the adoption gauges. Admission never waits for it: it only reads the snapshot.
/// A pass that cannot finish (API server gone mid-list, 403) keeps the previous reports and says why in one log line.
/// </summary>
internal sealed class BackgroundAudit : BackgroundService
{
    private readonly KubeApi api;
    private readonly AdmissionStateStore store;
    private readonly ILeadership leadership;
    private readonly IRegistryFacts registry;
    private readonly AdoptionGauges gauges;
    private readonly AuditOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<BackgroundAudit> logger;
    private readonly PolicyReportWriter reports;
    private readonly Channel<bool> changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private string? reportsUnavailable;

    public BackgroundAudit(KubeApi api, AdmissionStateStore store, ILeadership leadership, IRegistryFacts registry, AdoptionGauges gauges,
        AuditOptions options, TimeProvider time, ILogger<BackgroundAudit> logger)
    {
        this.api = api;
        this.store = store;
        this.leadership = leadership;
        this.registry = registry;
        this.gauges = gauges;
        this.options = options;
        this.time = time;
        this.logger = logger;
        reports = new PolicyReportWriter(api, options);
        store.Swapped += _ => changes.Writer.TryWrite(true);
        leadership.LeadershipChanged += leader =>
        {
            if (leader)
            {
                changes.Writer.TryWrite(true);
            }
        };
    }

    /// <summary>The last pass's outcome, for status and tests.</summary>
    public AuditOutcome? LastOutcome { get; private set; }

    /// <summary>Raised after every pass, complete or not.</summary>
    public event Action<AuditOutcome>? Completed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WaitForTurnAsync(stoppingToken).ConfigureAwait(false);
                if (!leadership.IsLeader || !store.Current.Loaded)
                {
                    continue;
                }

                var outcome = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                LastOutcome = outcome;
                Completed?.Invoke(outcome);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Until the interval has passed, or a change came and then a quiet <see cref="AuditOptions.Debounce"/>.</summary>
    private async Task WaitForTurnAsync(CancellationToken cancellationToken)
    {
        using var interval = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        interval.CancelAfter(options.Interval);
        try
        {
            await changes.Reader.ReadAsync(interval.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return;
        }

        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quiet.CancelAfter(options.Debounce);
            try
            {
                await changes.Reader.ReadAsync(quiet.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One full pass: list and judge, then reports and gauges. Never throws but for cancellation.</summary>
    public async Task<AuditOutcome> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var span = Telemetry.Tracing.Source.StartActivity(Telemetry.Tracing.AuditPass);
        AuditPass? pass = null;
        string? error = null;
        for (var relist = 0; pass is null && error is null; relist++)
        {
            try
            {
                pass = await ListAndJudgeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.IsGone && relist < options.Relists)
            {
                logger.LogInformation("audit: the Pod list's continue token expired; listing again from the start");
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or JsonException && !cancellationToken.IsCancellationRequested)
            {
                error = $"listing Pods failed: {Describe(e)}; previous reports are kept, next try in {GoText(options.Interval)}";
            }
        }

        if (pass is null)
        {
            logger.LogWarning("audit: {Error}", error);
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, error);
            return new AuditOutcome(0, 0, 0, 0, 0, error);
        }

        gauges.Publish(pass.Adoption());
        var (written, deleted, reportError) = await WriteReportsAsync(pass, cancellationToken).ConfigureAwait(false);
        var outcome = new AuditOutcome(pass.PodsSeen, pass.PodsJudged, pass.Namespaces.Count, written, deleted, reportError);
        if (span is not null)
        {
            span.SetTag("admissionguard.pods_seen", outcome.PodsSeen);
            span.SetTag("admissionguard.pods_judged", outcome.PodsJudged);
            span.SetTag("admissionguard.namespaces", outcome.Namespaces);
            span.SetTag("admissionguard.reports_written", written);
            span.SetTag("admissionguard.reports_deleted", deleted);
            if (reportError is not null)
            {
                span.SetStatus(System.Diagnostics.ActivityStatusCode.Error, reportError);
            }
        }

        logger.LogInformation("audit: judged {Judged} of {Seen} Pods in {Namespaces} namespaces; {Written} PolicyReports written, {Deleted} deleted{Error}",
            outcome.PodsJudged, outcome.PodsSeen, outcome.Namespaces, written, deleted, reportError is null ? "" : "; " + reportError);
        return outcome;
    }

    private async Task<AuditPass> ListAndJudgeAsync(CancellationToken cancellationToken)
    {
        var state = store.Current;
        var pass = new AuditPass(state, new PolicyEngine(state.Scans, registry, time), time);
        string? token = null;
        do
        {
            var page = await PageAsync(token, cancellationToken).ConfigureAwait(false);
            foreach (var pod in page.Items ?? [])
            {
                pass.Judge(pod);
            }

            token = page.Metadata?.Continue is { Length: > 0 } next ? next : null;
        }
        while (token is not null);

        return pass;
    }

    private async Task<PodPage> PageAsync(string? token, CancellationToken cancellationToken)
    {
        var query = $"{ResourcePath.Pods.Collection}?limit={options.PageSize}" + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token));
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var document = await api.GetJsonAsync(query, cancellationToken).ConfigureAwait(false);
                return document.Deserialize(ObservingJsonContext.Default.PodPage) ?? new PodPage();
            }
            catch (Exception e) when (attempt < options.Retries && !cancellationToken.IsCancellationRequested
                && (e is HttpRequestException or IOException || e is KubeApiException { StatusCode: >= 500 or 429 }))
            {
                // A dropped connection or an overloaded server: the same page again, after a short pause.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<(int Written, int Deleted, string? Error)> WriteReportsAsync(AuditPass pass, CancellationToken cancellationToken)
    {
        int written = 0, deleted = 0;
        try
        {
            var existing = await reports.ExistingAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (_, findings) in pass.Namespaces)
            {
                await reports.WriteAsync(findings.ToReport(), cancellationToken).ConfigureAwait(false);
                written++;
            }

            foreach (var ns in existing)
            {
                if (!pass.Namespaces.ContainsKey(ns))
                {
                    await reports.DeleteAsync(ns, cancellationToken).ConfigureAwait(false);
                    deleted++;
                }
            }

            reportsUnavailable = null;
            return (written, deleted, null);
        }
        catch (KubeApiException e) when (e.StatusCode == 404 && written == 0)
        {
            const string missing = "the PolicyReport CRD (policyreports.wgpolicyk8s.io/v1alpha2) is not installed: results are in the adoption metrics only; install the chart's CRD (crds.policyReports) to get reports";
            if (reportsUnavailable != missing)
            {
                logger.LogWarning("audit: {Message}", missing);
            }

            reportsUnavailable = missing;
            return (0, 0, missing);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return (written, deleted, $"writing PolicyReports failed: {Describe(e)}");
        }
    }

    private static string Describe(Exception e) => e is KubeApiException { StatusCode: 403 } k
        ? $"{k.Message} (the chart's ClusterRole grants it: upgrade the chart, or grant it by hand)"
        : e.Message;

    private static string GoText(TimeSpan span) => span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{span.TotalMinutes:0}m" : $"{span.TotalSeconds:0.###}s";
}
