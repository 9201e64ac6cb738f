using System.Diagnostics.Metrics;
using AdmissionGuard.Telemetry;

namespace AdmissionGuard.Audit;

/// <summary>
/// The adoption gauges of API.md section 4, labelled by namespace only, from the last completed audit pass:
/// <c>admissionguard_workload_images{namespace,hardened}</c>, <c>admissionguard_workload_image_grades{namespace,grade}</c>,
/// <c>admissionguard_workload_vulnerabilities{namespace,severity}</c>, <c>admissionguard_avoidable_vulnerabilities{namespace,severity}</c>.
/// </summary>
internal sealed class AdoptionGauges : IDisposable
{
    private readonly Meter meter = new(AdmissionMetrics.MeterName);
    private IReadOnlyDictionary<string, AdoptionTally> current = new Dictionary<string, AdoptionTally>();

    public AdoptionGauges()
    {
        meter.CreateObservableGauge("admissionguard_workload_images", () => Each((ns, t) => new[]
        {
            Measure(t.Hardened, ns, "hardened", "true"),
            Measure(t.NotHardened, ns, "hardened", "false"),
        }), description: "Running containers by namespace, on a hardened image or not (background audit)");
        meter.CreateObservableGauge("admissionguard_workload_image_grades", () => Each((ns, t) =>
            Enumerable.Range(0, t.Grades.Length).Select(i => Measure(t.Grades[i], ns, "grade", AdoptionTally.GradeLabel(i)))),
            description: "Running containers by namespace and scan grade (none: no usable scan)");
        meter.CreateObservableGauge("admissionguard_workload_vulnerabilities", () => Each((ns, t) => new[]
        {
            Measure(t.Critical, ns, "severity", "critical"),
            Measure(t.High, ns, "severity", "high"),
        }), description: "Vulnerabilities in the scans of the images running in each namespace (each image once)");
        meter.CreateObservableGauge("admissionguard_avoidable_vulnerabilities", () => Each((ns, t) => new[]
        {
            Measure(t.AvoidableCritical, ns, "severity", "critical"),
            Measure(t.AvoidableHigh, ns, "severity", "high"),
        }), description: "Vulnerabilities running non-hardened images carry beyond their hardened twins' scans");
    }

    /// <summary>The figures of one completed pass replace the previous ones; namespaces no longer seen disappear.</summary>
    public void Publish(IReadOnlyDictionary<string, AdoptionTally> tallies) => Volatile.Write(ref current, tallies);

    public IReadOnlyDictionary<string, AdoptionTally> Current => Volatile.Read(ref current);

    public void Dispose() => meter.Dispose();

    private IEnumerable<Measurement<int>> Each(Func<string, AdoptionTally, IEnumerable<Measurement<int>>> measure) =>
        Current.SelectMany(p => measure(p.Key, p.Value));

    private static Measurement<int> Measure(int value, string ns, string label, string labelValue) =>
        new(value, new KeyValuePair<string, object?>("namespace", ns), new KeyValuePair<string, object?>(label, labelValue));
}
