using System.Diagnostics.Metrics;
using AdmissionGuard.Adoption;
using AdmissionGuard.Audit;
using AdmissionGuard.Hosting;
using AdmissionGuard.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace AdmissionGuard.Tests.Telemetry;

/// <summary>
/// The series limits of <see cref="MetricStreams"/>, read through a real MeterProvider with the view serve uses: what a
/// large cluster needs is exported whole, and only the fixed-label instruments are held small.
/// </summary>
public sealed class MetricStreamsTests
{
    private const string Overflow = "otel.metric.overflow";

    [Fact]
    public void Every_namespace_of_a_large_cluster_has_its_grade_series()
    {
        // 300 namespaces times seven grades is 2,100 series: past OpenTelemetry's default limit of 2,000.
        var adoption = Enumerable.Range(0, 300).Select(i => $"streams-ns-{i}").ToDictionary(ns => ns, ns =>
            new NamespaceAdoption(ns, 7, 1, 6, 0, 0, new GradeCounts(1, 1, 1, 1, 1, 1, 1), default, default));
        using var gauges = new AdoptionGauges();
        gauges.Publish(adoption);

        var points = Export("admissionguard_workload_image_grades");

        Assert.DoesNotContain(points, p => p.ContainsKey(Overflow));
        var ours = points.Where(p => p.TryGetValue("namespace", out var ns) && ns!.StartsWith("streams-ns-", StringComparison.Ordinal)).ToList();
        Assert.Equal(300 * 7, ours.Count);
        Assert.Equal(7, ours.Where(p => p["namespace"] == "streams-ns-299").Select(p => p["grade"]).Distinct().Count());
    }

    [Fact]
    public void Every_policy_has_its_violation_series()
    {
        using var metrics = new AdmissionMetrics(new AdmissionStateStore());
        using var provider = Provider(out var exported);
        for (var i = 0; i < 1_500; i++)
        {
            metrics.Violation($"streams-policy-{i}", "hardened");
        }

        var points = Collect(provider, exported, "admissionguard_policy_violations");

        Assert.DoesNotContain(points, p => p.ContainsKey(Overflow));
        Assert.Equal(1_500, points.Count(p => p.TryGetValue("policy", out var name) && name!.StartsWith("streams-policy-", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_fixed_label_instrument_past_its_limit_counts_the_rest_as_overflow()
    {
        using var metrics = new AdmissionMetrics(new AdmissionStateStore());
        using var provider = Provider(out var exported);
        for (var i = 0; i < MetricStreams.Fixed + 10; i++)
        {
            metrics.RegistryRequest($"streams-outcome-{i}");
        }

        var points = Collect(provider, exported, "admissionguard_registry_requests");

        Assert.Contains(points, p => p.TryGetValue(Overflow, out var v) && v == "True");
        Assert.True(points.Count <= MetricStreams.Fixed + 1, $"{points.Count} series");
    }

    [Fact]
    public void The_runtime_meter_is_held_to_the_fixed_limit_and_other_meters_keep_the_default()
    {
        using var runtime = new Meter("System.Runtime.StreamsTest");
        using var system = new Meter("System.Runtime");
        Assert.Equal(MetricStreams.Fixed, MetricStreams.Limit(system.CreateCounter<long>("streams_test_counter")));
        Assert.Null(MetricStreams.Limit(runtime.CreateCounter<long>("streams_test_counter")));
        Assert.Null(MetricStreams.For(runtime.CreateCounter<long>("other")));
    }

    private static List<Dictionary<string, string?>> Export(string instrument)
    {
        using var provider = Provider(out var exported);
        return Collect(provider, exported, instrument);
    }

    private static MeterProvider Provider(out List<Metric> exported)
    {
        exported = [];
        return Sdk.CreateMeterProviderBuilder()
            .AddMeter(AdmissionMetrics.MeterName)
            .AddView(MetricStreams.For)
            .AddInMemoryExporter(exported)
            .Build();
    }

    // Each exported point as its labels; other tests' meters of the same name may add series of their own.
    private static List<Dictionary<string, string?>> Collect(MeterProvider provider, List<Metric> exported, string instrument)
    {
        Assert.True(provider.ForceFlush());
        var points = new List<Dictionary<string, string?>>();
        foreach (var metric in exported.Where(m => m.Name == instrument))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var labels = new Dictionary<string, string?>();
                foreach (var tag in point.Tags)
                {
                    labels[tag.Key] = tag.Value?.ToString();
                }

                points.Add(labels);
            }
        }

        return points;
    }
}
