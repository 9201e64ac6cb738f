using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace AdmissionGuard.Telemetry;

/// <summary>
/// How many series each exported instrument may hold. OpenTelemetry allocates every stream's points up front, 2000 by
/// default: for the runtime's instruments and ours with a fixed set of labels that was most of what a start allocated
/// (4.6 MB on the large-object heap). Instruments labelled by policy keep the default; those labelled by namespace get
/// room for a large cluster. Past a limit, measurements go to one series labelled <c>otel_metric_overflow="true"</c>.
/// </summary>
internal static class MetricStreams
{
    /// <summary>The runtime's own meter, which serve exports beside ours.</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>Labels from fixed sets (outcome, reason, severity, GC generation): far fewer series than this.</summary>
    public const int Fixed = 64;

    /// <summary>Namespace times grade or severity: 2,500 namespaces of the widest gauge (seven grades).</summary>
    public const int PerNamespace = 17_500;

    private static readonly HashSet<string> PerNamespaceInstruments =
    [
        "admissionguard_workload_images",
        "admissionguard_workload_image_grades",
        "admissionguard_workload_vulnerabilities",
        "admissionguard_avoidable_vulnerabilities",
    ];

    // Ours with no label or labels from fixed sets; any instrument not named here or above keeps OpenTelemetry's
    // default, as those labelled by policy, rule or kind do.
    private static readonly HashSet<string> FixedInstruments =
    [
        "admissionguard_admission_duration",
        "admissionguard_registry_requests",
        "admissionguard_decision_records_dropped",
        "admissionguard_image_signatures",
        "admissionguard_policies",
        "admissionguard_image_scans",
        "admissionguard_avoided_vulnerabilities",
        "admissionguard_certificate_expiry_timestamp",
        "admissionguard_registry_breakers_open",
        "admissionguard_trace_spans_dropped",
        "admissionguard_service_restarts",
    ];

    /// <summary>The view for <see cref="MeterProviderBuilderExtensions.AddView(MeterProviderBuilder, Func{Instrument, MetricStreamConfiguration?})"/>.</summary>
    public static MetricStreamConfiguration? For(Instrument instrument) => Limit(instrument) is { } limit
        ? new MetricStreamConfiguration { CardinalityLimit = limit }
        : null;

    internal static int? Limit(Instrument instrument) =>
        PerNamespaceInstruments.Contains(instrument.Name) ? PerNamespace
        : FixedInstruments.Contains(instrument.Name) || instrument.Meter.Name == RuntimeMeter ? Fixed
        : null;
}
