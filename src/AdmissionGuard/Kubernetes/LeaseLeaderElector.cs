using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AdmissionGuard.Hosting;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Leader election on a <c>coordination.k8s.io/v1</c> Lease, client-go's algorithm in small: take the lease
/// when it is free or its holder has not renewed for a lease duration as measured by our own clock since
/// we last saw it change (never by comparing clocks across nodes), renew every retry period, step down when
/// renewing has failed for the renew deadline, and on shutdown hand it back so another replica takes over
/// at once. Writes are merge patches of our spec fields carrying the resourceVersion read, so two candidates
/// can never both win and nothing we do not own (managedFields, labels) is sent back.
/// Uses only get, create and patch on the Lease (the chart's RBAC).
/// </summary>
internal sealed class LeaseLeaderElector : SupervisedService, ILeadership
{
    private const string WriteQuery = "?fieldManager=admissionguard";
    private static readonly ResourcePath Path = ResourcePath.Leases;
    private readonly KubeApi api;
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

    public LeaseLeaderElector(KubeApi api, string ns, string name, string identity, LeaderElectionOptions options, TimeProvider time, ILogger<LeaseLeaderElector> logger,
        ServiceHealth? health = null, IHostApplicationLifetime? lifetime = null, SupervisionOptions? supervision = null)
        : base("leader election", time, logger, health, lifetime, supervision)
    {
        this.api = api;
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

    protected override async Task RunAsync(CancellationToken stoppingToken)
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
                // Refusals and unreachability are routine: retry each period. Anything else (an answer that is not a
                // Lease, a bug) fails the loop, and the supervisor restarts it with backoff.
                catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException)
                {
                    logger.LogWarning("lease {Namespace}/{Name}: {Error}", ns, name, e.Message);
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
        var lease = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            var created = new JsonObject
            {
                ["apiVersion"] = "coordination.k8s.io/v1",
                ["kind"] = "Lease",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                ["spec"] = new JsonObject
                {
                    ["holderIdentity"] = identity,
                    ["leaseDurationSeconds"] = (int)options.LeaseDuration.TotalSeconds,
                    ["acquireTime"] = MicroTime(now),
                    ["renewTime"] = MicroTime(now),
                    ["leaseTransitions"] = 0,
                },
            };
            try
            {
                using var answer = await api.SendJsonAsync(HttpMethod.Post, Path.NamespacedCollection(ns) + WriteQuery, Encoding.UTF8.GetBytes(created.ToJsonString()), "application/json", cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException conflict) when (conflict.StatusCode == 409)
            {
                return false;
            }

            lastRenewed = now;
            return true;
        }

        var record = $"{lease.Holder}|{lease.RenewTime}|{lease.ResourceVersion}";
        if (record != observedRecord)
        {
            observedRecord = record;
            observedAt = now;
        }

        var mine = lease.Holder == identity;
        var duration = TimeSpan.FromSeconds(lease.DurationSeconds ?? (int)options.LeaseDuration.TotalSeconds);
        if (!mine && !string.IsNullOrEmpty(lease.Holder) && observedAt + duration > now)
        {
            return false;
        }

        var spec = new JsonObject();
        if (!mine)
        {
            spec["holderIdentity"] = identity;
            spec["acquireTime"] = MicroTime(now);
            spec["leaseTransitions"] = (lease.Transitions ?? 0) + 1;
        }

        spec["renewTime"] = MicroTime(now);
        spec["leaseDurationSeconds"] = (int)options.LeaseDuration.TotalSeconds;
        try
        {
            // The resourceVersion from the read makes this a compare-and-swap: a rival's write in between is a 409.
            await PatchAsync(lease.ResourceVersion, spec, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.StatusCode is 409 or 404)
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
            var lease = await ReadAsync(timeout.Token).ConfigureAwait(false);
            if (lease?.Holder != identity)
            {
                return;
            }

            // An empty holder is free for anyone at once; the Lease itself stays (delete is not in our RBAC).
            var spec = new JsonObject
            {
                ["holderIdentity"] = null,
                ["leaseDurationSeconds"] = 1,
                ["renewTime"] = MicroTime(time.GetUtcNow()),
            };
            await PatchAsync(lease.ResourceVersion, spec, timeout.Token).ConfigureAwait(false);
            logger.LogInformation("released lease {Namespace}/{Name}", ns, name);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or JsonException or OperationCanceledException)
        {
            // Others take over when it expires instead.
            logger.LogWarning("releasing lease {Namespace}/{Name} failed: {Error}", ns, name, e.Message);
        }
    }

    /// <summary>
    /// Reads only the fields election needs. The Lease is never decoded into a typed model and written back: a
    /// real API server's object carries fields we do not own (managedFields, labels, newer spec fields).
    /// </summary>
    private async Task<LeaseRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var document = await api.GetJsonAsync(Path.Item(ns, name), cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            var spec = root.TryGetProperty("spec", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
            var meta = root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            return new LeaseRecord(
                Text(spec, "holderIdentity"),
                Text(spec, "renewTime"),
                Number(spec, "leaseDurationSeconds"),
                Number(spec, "leaseTransitions"),
                Text(meta, "resourceVersion") ?? throw new JsonException("the Lease has no metadata.resourceVersion"));
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>A merge patch of only our spec fields, conditional on the resourceVersion read (409 when it moved).</summary>
    private async Task PatchAsync(string resourceVersion, JsonObject spec, CancellationToken cancellationToken)
    {
        var patch = MergePatch.Conditional(resourceVersion, ("spec", spec));
        using var answer = await api.SendJsonAsync(HttpMethod.Patch, Path.Item(ns, name) + WriteQuery, Encoding.UTF8.GetBytes(patch.ToJsonString()), MergePatch.ContentType, cancellationToken).ConfigureAwait(false);
    }

    private static string MicroTime(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string? Text(JsonElement obj, string property) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Number(JsonElement obj, string property) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;

    /// <summary>A failed run cannot vouch for the lease any more: step down until the restarted loop renews it.</summary>
    protected override void OnRestarting() => SetLeader(false);

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

    private sealed record LeaseRecord(string? Holder, string? RenewTime, int? DurationSeconds, int? Transitions, string ResourceVersion);
}
