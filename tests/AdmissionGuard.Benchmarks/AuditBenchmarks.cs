using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AdmissionGuard.Audit;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Registry;
using AdmissionGuard.Telemetry;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// One background audit pass over 10,000 Pods in 200 namespaces, as the API server would page them (20 pages of
/// 500, already received as JSON): decode each page, judge every Pod with the engine, then encode the 200
/// PolicyReports. No HTTP: this is the audit's own cost. Memory: Allocated (BenchmarkDotNet), and the columns
/// Page MB (one decoded page, the most Pods held at once) and Results MB (what the pass keeps until its reports
/// are written); the peak is about their sum.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(AuditMemoryColumns))]
public class AuditBenchmarks
{
    public const int Namespaces = 200;
    public const int PodsPerNamespace = 50;
    public const int PageSize = 500;

    private static readonly Lazy<(AdmissionState State, byte[][] Pages)> Data = new(Build);

    [Benchmark]
    public int AuditPass10000Pods() => Run(Data.Value.State, Data.Value.Pages, out _);

    internal static int Run(AdmissionState state, byte[][] pages, out AuditPass pass)
    {
        pass = new AuditPass(state, new PolicyEngine(state.Scans, NoRegistryFacts.Instance, Fixtures.Clock), Fixtures.Clock);
        foreach (var page in pages)
        {
            foreach (var pod in JsonSerializer.Deserialize(page, ObservingJsonContext.Default.PodPage)!.Items!)
            {
                pass.Judge(pod);
            }
        }

        var bytes = 0;
        foreach (var (_, findings) in pass.Namespaces)
        {
            bytes += JsonSerializer.SerializeToUtf8Bytes(findings.ToReport(), ObservingJsonContext.Relaxed.PolicyReport).Length;
        }

        return bytes;
    }

    internal static (AdmissionState State, byte[][] Pages) Build()
    {
        var set = Fixtures.Load(teamPolicies: 20);
        var labels = new Dictionary<string, Dictionary<string, string>>(set.NamespaceLabels, StringComparer.Ordinal);
        string[] images = ["nginx:1.25", "dhi.io/nginx:1.25", "busybox", "registry.example.com/team-a/api:2.0-hardened", "redis:7.2", "quay.io/evil/miner:1.0"];
        var pods = new List<string>(Namespaces * PodsPerNamespace);
        for (var n = 0; n < Namespaces; n++)
        {
            var ns = n % 4 == 0 ? "prod" + n.ToString(CultureInfo.InvariantCulture) : "team-" + n.ToString(CultureInfo.InvariantCulture);
            labels[ns] = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns, ["env"] = n % 4 == 0 ? "prod" : "dev" };
            for (var p = 0; p < PodsPerNamespace; p++)
            {
                var web = images[(n + p) % images.Length];
                var sidecar = images[(n + p + 3) % images.Length];
                pods.Add($$$"""{"metadata":{"name":"pod-{{{p}}}","namespace":"{{{ns}}}","uid":"{{{Guid.NewGuid()}}}","labels":{"app":"a{{{p % 7}}}"}},"spec":{"initContainers":[{"name":"init","image":"{{{sidecar}}}"}],"containers":[{"name":"web","image":"{{{web}}}"},{"name":"sidecar","image":"{{{sidecar}}}"}]},"status":{"phase":"Running"}}""");
            }
        }

        var pages = pods.Chunk(PageSize).Select((chunk, i) => Encoding.UTF8.GetBytes(
            $$"""{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1","continue":"{{i + 1}}"},"items":[{{string.Join(",", chunk)}}]}""")).ToArray();
        var state = new AdmissionState(Fixtures.Compile(set), Fixtures.Scans(set), labels, Loaded: true, NamespacesComplete: true);
        return (state, pages);
    }

    /// <summary>Megabytes of managed heap that one decoded page, and one finished pass's results, keep alive.</summary>
    public sealed class AuditMemoryColumns : ManualConfig
    {
        private static readonly ConcurrentDictionary<string, double> Measured = new();

        public AuditMemoryColumns()
        {
            AddColumn(new Column("Page MB", () => Retained(() => JsonSerializer.Deserialize(Data.Value.Pages[0], ObservingJsonContext.Default.PodPage))));
            AddColumn(new Column("Results MB", () => Retained(() =>
            {
                Run(Data.Value.State, Data.Value.Pages, out var pass);
                return pass;
            })));
        }

        private static double Retained(Func<object?> make)
        {
            _ = Data.Value;
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var kept = make();
            var after = GC.GetTotalMemory(forceFullCollection: true);
            GC.KeepAlive(kept);
            return (after - before) / 1024.0 / 1024.0;
        }

        private sealed class Column(string name, Func<double> measure) : IColumn
        {
            public string Id => name;
            public string ColumnName => name;
            public bool AlwaysShow => true;
            public ColumnCategory Category => ColumnCategory.Custom;
            public int PriorityInCategory => 0;
            public bool IsNumeric => true;
            public UnitType UnitType => UnitType.Dimensionless;
            public string Legend => name == "Page MB" ? "Managed MB one decoded page of 500 Pods keeps alive" : "Managed MB a finished pass keeps (results of all 10,000 Pods)";
            public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
            public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
                Measured.GetOrAdd(name, _ => measure()).ToString("0.0", CultureInfo.InvariantCulture);
            public bool IsAvailable(Summary summary) => true;
            public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        }
    }
}
