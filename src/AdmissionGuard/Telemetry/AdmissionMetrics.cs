using System.Diagnostics;
using System.Diagnostics.Metrics;
using AdmissionGuard.Adoption;
using AdmissionGuard.Certificates;
using AdmissionGuard.Hosting;

namespace AdmissionGuard.Telemetry;

/// <summary>The instruments of API.md section 4, on one Meter exported by OpenTelemetry's Prometheus exporter.</summary>
internal sealed class AdmissionMetrics : IDisposable
{
    public const string MeterName = "AdmissionGuard";

    private readonly Meter meter;
    private readonly Counter<long> requests;
    private readonly Histogram<double> duration;
    private readonly Counter<long> violations;
    private readonly Counter<long> registryRequests;
    private readonly Counter<long> decisionRecordsDropped;
    private readonly Counter<long> signatures;
    private readonly Counter<long> rewrites;
    private readonly Counter<long> avoided;
    private readonly TimeProvider time;
    private volatile ICertificateProvider? certificate;
    private volatile Func<int>? openBreakers;

    // One tag array per severity, built once: recording a rewrite allocates nothing.
    private static readonly KeyValuePair<string, object?>[] SeverityTags =
        [.. VulnerabilityCounts.Severities.Select(s => new KeyValuePair<string, object?>("severity", s))];

    public AdmissionMetrics(AdmissionStateStore store, TimeProvider? time = null)
    {
        this.time = time ?? TimeProvider.System;
        meter = new Meter(MeterName);
        requests = meter.CreateCounter<long>("admissionguard_admission_requests", description: "Admission requests by webhook, kind, operation and decision");
        duration = meter.CreateHistogram<double>("admissionguard_admission_duration", unit: "s", description: "Time from request read to response written",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        violations = meter.CreateCounter<long>("admissionguard_policy_violations", description: "Rule violations by policy and rule");
        registryRequests = meter.CreateCounter<long>("admissionguard_registry_requests", description: "Background registry requests by outcome");
        decisionRecordsDropped = meter.CreateCounter<long>("admissionguard_decision_records_dropped", description: "Decision records not written: over --decision-log-rate, or the writer fell behind");
        signatures = meter.CreateCounter<long>("admissionguard_image_signatures", description: "Signature verifications by outcome: verified, unsigned, invalid, unreachable");
        meter.CreateObservableGauge("admissionguard_policies", () => new[]
        {
            new Measurement<int>(store.Current.Snapshot.PolicyCount, new KeyValuePair<string, object?>("ready", "true")),
            new Measurement<int>(store.Current.Snapshot.Errors.Select(e => e.ObjectId).Distinct().Count(), new KeyValuePair<string, object?>("ready", "false")),
        }, description: "Compiled policies (ready=true) and objects that failed to compile (ready=false)");
        meter.CreateObservableGauge("admissionguard_image_scans", () => store.Current.Scans.Count, description: "Cached image scans");
        rewrites = meter.CreateCounter<long>("admissionguard_rewrites", description: "Images /mutate rewrote to their hardened twin (or pinned), by policy");
        avoided = meter.CreateCounter<long>("admissionguard_avoided_vulnerabilities",
            description: "At each rewrite: the source image's scan counts minus the twin's, by severity, where both are scanned");
        meter.CreateObservableGauge("admissionguard_certificate_expiry_timestamp", ObserveCertificate, unit: "s",
            description: "notAfter of the serving certificate now served, as Unix time");
        meter.CreateObservableGauge("admissionguard_registry_breakers_open", () => openBreakers?.Invoke() ?? 0,
            description: "Registries whose circuit breaker is open: lookups answer unreachable without asking");
        meter.CreateObservableGauge("admissionguard_exception_expiry_timestamp", () => ObserveExceptions(store), unit: "s",
            description: "End of the policy's exception that ends soonest among those in force, as Unix time, by policy");
    }

    /// <summary>Publishes the notAfter of whatever this provider serves (files reloaded, self-managed rotation).</summary>
    public void ObserveCertificate(ICertificateProvider provider) => certificate = provider;

    /// <summary>Publishes how many registry breakers are open, asked at each scrape.</summary>
    public void ObserveBreakers(Func<int> count) => openBreakers = count;

    /// <summary>One image rewritten by <paramref name="policy"/>; <paramref name="removed"/> when both images are scanned.</summary>
    public void Rewrite(string policy, VulnerabilityCounts? removed)
    {
        rewrites.Add(1, new KeyValuePair<string, object?>("policy", policy));
        if (removed is not { } counts)
        {
            return;
        }

        for (var i = 0; i < SeverityTags.Length; i++)
        {
            // Zero is still recorded, so every severity has a series from the first scanned rewrite on.
            avoided.Add(counts[i], SeverityTags[i]);
        }
    }

    private IEnumerable<Measurement<double>> ObserveCertificate()
    {
        if (certificate?.Current is { } current)
        {
            yield return new Measurement<double>(new DateTimeOffset(current.NotAfter.ToUniversalTime()).ToUnixTimeSeconds());
        }
    }

    private IEnumerable<Measurement<double>> ObserveExceptions(AdmissionStateStore store)
    {
        var now = time.GetUtcNow();
        foreach (var (policy, expires) in ExceptionExpiry.SoonestByPolicy(store.Current.Snapshot, now))
        {
            yield return new Measurement<double>(expires.ToUnixTimeSeconds(), new KeyValuePair<string, object?>("policy", policy));
        }
    }

    // A TagList holds up to eight tags inline: Add with four separate tags would take the params-array overload and
    // allocate the array on every request.
    public void Request(string webhook, string kind, string operation, string decision, double seconds)
    {
        var tags = new TagList
        {
            { "webhook", webhook },
            { "kind", kind },
            { "operation", operation },
            { "decision", decision },
        };
        requests.Add(1, in tags);
        duration.Record(seconds, new KeyValuePair<string, object?>("webhook", webhook));
    }

    public void Violation(string policy, string rule) =>
        violations.Add(1, new KeyValuePair<string, object?>("policy", policy), new KeyValuePair<string, object?>("rule", rule));

    public void RegistryRequest(string outcome) =>
        registryRequests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void DecisionRecordDropped() => decisionRecordsDropped.Add(1);
    public void SignatureVerified(string outcome) =>
        signatures.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => meter.Dispose();
}
