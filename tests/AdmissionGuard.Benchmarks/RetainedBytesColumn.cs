using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// Bytes of managed heap a built <see cref="Scans.ScanIndex"/> keeps alive per scan, measured in the
/// host process (GC.GetTotalMemory after a full collection, before and after a build whose input is garbage).
/// </summary>
public sealed class RetainedBytesColumn : IColumn
{
    private static readonly ConcurrentDictionary<int, double> Measured = new();

    public string Id => nameof(RetainedBytesColumn);
    public string ColumnName => "RetainedB/scan";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Managed bytes the scan index retains per cached scan (lower is better; aim < 400)";

    public static double PerScan(int count) => Measured.GetOrAdd(count, static n =>
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var index = ScanCacheBenchmarks.Build(n);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(index);
        return (after - before) / (double)n;
    });

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var scans = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == nameof(ScanCacheBenchmarks.Scans))?.Value;
        return scans is int n ? PerScan(n).ToString("0", CultureInfo.InvariantCulture) : "-";
    }

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new RetainedBytesColumn());
    }
}
