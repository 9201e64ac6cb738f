using System.Diagnostics.Metrics;
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
    private readonly Counter<long> signatures;

    public AdmissionMetrics(AdmissionStateStore store)
    {
        meter = new Meter(MeterName);
        requests = meter.CreateCounter<long>("admissionguard_admission_requests", description: "Admission requests by webhook, kind, operation and decision");
        duration = meter.CreateHistogram<double>("admissionguard_admission_duration", unit: "s", description: "Time from request read to response written",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        violations = meter.CreateCounter<long>("admissionguard_policy_violations", description: "Rule violations by policy and rule");
        registryRequests = meter.CreateCounter<long>("admissionguard_registry_requests", description: "Background registry requests by outcome");
        signatures = meter.CreateCounter<long>("admissionguard_image_signatures", description: "Signature verifications by outcome: verified, unsigned, invalid, unreachable");
        meter.CreateObservableGauge("admissionguard_policies", () => new[]
        {
            new Measurement<int>(store.Current.Snapshot.PolicyCount, new KeyValuePair<string, object?>("ready", "true")),
            new Measurement<int>(store.Current.Snapshot.Errors.Select(e => e.ObjectId).Distinct().Count(), new KeyValuePair<string, object?>("ready", "false")),
        }, description: "Compiled policies (ready=true) and objects that failed to compile (ready=false)");
        meter.CreateObservableGauge("admissionguard_image_scans", () => store.Current.Scans.Count, description: "Cached image scans");
    }

    public void Request(string webhook, string kind, string operation, string decision, double seconds)
    {
        requests.Add(1, new KeyValuePair<string, object?>("webhook", webhook), new KeyValuePair<string, object?>("kind", kind),
            new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("decision", decision));
        duration.Record(seconds, new KeyValuePair<string, object?>("webhook", webhook));
    }

    public void Violation(string policy, string rule) =>
        violations.Add(1, new KeyValuePair<string, object?>("policy", policy), new KeyValuePair<string, object?>("rule", rule));

    public void RegistryRequest(string outcome) =>
        registryRequests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void SignatureVerified(string outcome) =>
        signatures.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => meter.Dispose();
}
