using System.Diagnostics.Metrics;
using AdmissionGuard.Adoption;
using AdmissionGuard.Telemetry;

namespace AdmissionGuard.Audit;

/// <summary>
/// The adoption gauges of API.md section 4, labelled by namespace only, from the last completed audit pass and the
/// same aggregation <c>admissionguard report</c> prints (<see cref="AdoptionAccumulator"/>):
/// <c>admissionguard_workload_images{namespace,hardened}</c>, <c>admissionguard_workload_image_grades{namespace,grade}</c>,
/// <c>admissionguard_workload_vulnerabilities{namespace,severity}</c>, <c>admissionguard_avoidable_vulnerabilities{namespace,severity}</c>.
/// </summary>
internal sealed class AdoptionGauges : IDisposable
{
    private readonly Meter meter = new(AdmissionMetrics.MeterName);
    private IReadOnlyDictionary<string, NamespaceAdoption> current = new Dictionary<string, NamespaceAdoption>();

    public AdoptionGauges()
    {
        meter.CreateObservableGauge("admissionguard_workload_images", () => Each((ns, a) => new[]
        {
            Measure(a.Hardened, ns, "hardened", "true"),
            // An image that does not parse is never hardened.
            Measure(a.NotHardened + a.Unparseable, ns, "hardened", "false"),
        }), description: "Running containers by namespace, on a hardened image or not (background audit)");
        meter.CreateObservableGauge("admissionguard_workload_image_grades", () => Each((ns, a) =>
            GradeCounts.Labels.Select((label, i) => Measure(a.Grades[i], ns, "grade", label))),
            description: "Running containers by namespace and scan grade (none: no usable scan)");
        meter.CreateObservableGauge("admissionguard_workload_vulnerabilities", () => Each((ns, a) => Severities(ns, a.Vulnerabilities)),
            description: "Vulnerabilities in the scans of the images running in each namespace, summed over containers");
        meter.CreateObservableGauge("admissionguard_avoidable_vulnerabilities", () => Each((ns, a) => Severities(ns, a.Avoidable)),
            description: "Vulnerabilities running non-hardened images carry beyond their hardened twins' scans");
    }

    /// <summary>The figures of one completed pass replace the previous ones; namespaces no longer seen disappear.</summary>
    public void Publish(IReadOnlyDictionary<string, NamespaceAdoption> adoption) => Volatile.Write(ref current, adoption);

    public IReadOnlyDictionary<string, NamespaceAdoption> Current => Volatile.Read(ref current);

    public void Dispose() => meter.Dispose();

    private IEnumerable<Measurement<long>> Each(Func<string, NamespaceAdoption, IEnumerable<Measurement<long>>> measure) =>
        Current.SelectMany(p => measure(p.Key, p.Value));

    private static IEnumerable<Measurement<long>> Severities(string ns, VulnerabilityCounts counts) =>
        VulnerabilityCounts.Severities.Select((severity, i) => Measure(counts[i], ns, "severity", severity));

    private static Measurement<long> Measure(long value, string ns, string label, string labelValue) =>
        new(value, new KeyValuePair<string, object?>("namespace", ns), new KeyValuePair<string, object?>(label, labelValue));
}
