using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Leader election on a <c>coordination.k8s.io/v1</c> Lease, client-go's algorithm in small: take the lease
/// when it is free or its holder has not renewed for a lease duration as measured by our own clock since
/// we last saw it change (never by comparing clocks across nodes), renew every retry period, step down when
/// renewing has failed for the renew deadline, and on shutdown hand it back so another replica takes over
/// at once. Writes are replace-with-resourceVersion, so two candidates can never both win.
/// Uses only get, create and update on the Lease (the chart's RBAC).
/// </summary>
internal sealed class LeaseLeaderElector : BackgroundService, ILeadership
{
    private readonly k8s.Kubernetes client;
    private readonly string ns;
    private readonly string name;
    private readonly string identity;
    private readonly LeaderElectionOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private string? observedRecord;
    private DateTimeOffset observedAt;
    private DateTimeOffset lastRenewed;
    private volatile bool isLeader;

    public LeaseLeaderElector(k8s.Kubernetes client, string ns, string name, string identity, LeaderElectionOptions options, TimeProvider time, ILogger<LeaseLeaderElector> logger)
    {
        this.client = client;
        this.ns = ns;
        this.name = name;
        this.identity = identity;
        this.options = options;
        this.time = time;
        this.logger = logger;
    }

    public event Action<bool>? LeadershipChanged;

    public bool IsLeader => isLeader;

    public string Identity => identity;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                bool held;
                try
                {
                    held = await TryAcquireOrRenewAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
                {
                    logger.LogWarning("lease {Namespace}/{Name}: {Error}", ns, name, Describe(e));
                    held = isLeader && time.GetUtcNow() - lastRenewed < options.RenewDeadline;
                }

                SetLeader(held);
                await Task.Delay(options.RetryPeriod, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        if (isLeader)
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        V1Lease lease;
        try
        {
            lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            var created = new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                Spec = new V1LeaseSpec
                {
                    HolderIdentity = identity,
                    LeaseDurationSeconds = (int)options.LeaseDuration.TotalSeconds,
                    AcquireTime = now.UtcDateTime,
                    RenewTime = now.UtcDateTime,
                    LeaseTransitions = 0,
                },
            };
            try
            {
                await client.CoordinationV1.CreateNamespacedLeaseAsync(created, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException conflict) when (conflict.Response.StatusCode == HttpStatusCode.Conflict)
            {
                return false;
            }

            lastRenewed = now;
            return true;
        }

        var spec = lease.Spec ??= new V1LeaseSpec();
        var record = $"{spec.HolderIdentity}|{spec.RenewTime:O}|{lease.Metadata?.ResourceVersion}";
        if (record != observedRecord)
        {
            observedRecord = record;
            observedAt = now;
        }

        var mine = spec.HolderIdentity == identity;
        var duration = TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? (int)options.LeaseDuration.TotalSeconds);
        if (!mine && !string.IsNullOrEmpty(spec.HolderIdentity) && observedAt + duration > now)
        {
            return false;
        }

        if (!mine)
        {
            spec.AcquireTime = now.UtcDateTime;
            spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
            spec.HolderIdentity = identity;
        }

        spec.RenewTime = now.UtcDateTime;
        spec.LeaseDurationSeconds = (int)options.LeaseDuration.TotalSeconds;
        try
        {
            // The resourceVersion from the read makes this a compare-and-swap: a rival's write in between is a 409.
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }

        lastRenewed = now;
        return true;
    }

    private async Task ReleaseAsync()
    {
        SetLeader(false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != identity)
            {
                return;
            }

            // An empty holder is free for anyone at once; the Lease itself stays (delete is not in our RBAC).
            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = time.GetUtcNow().UtcDateTime;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: timeout.Token).ConfigureAwait(false);
            logger.LogInformation("released lease {Namespace}/{Name}", ns, name);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or OperationCanceledException)
        {
            // Others take over when it expires instead.
            logger.LogWarning("releasing lease {Namespace}/{Name} failed: {Error}", ns, name, Describe(e));
        }
    }

    private void SetLeader(bool value)
    {
        if (isLeader == value)
        {
            return;
        }

        isLeader = value;
        logger.LogInformation("{Identity} {Change} leader (lease {Namespace}/{Name})", identity, value ? "is now the" : "is no longer the", ns, name);
        LeadershipChanged?.Invoke(value);
    }

    private static string Describe(Exception e) =>
        e is HttpOperationException h ? $"{(int)h.Response.StatusCode} {h.Response.ReasonPhrase}" : e.Message;
}
