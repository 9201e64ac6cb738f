using AdmissionGuard.Evaluation;
using AdmissionGuard.Images;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Adoption;

/// <summary>
/// The one adoption aggregation, fed a workload at a time: <see cref="AdoptionAggregator.Aggregate"/> runs it over a
/// list (<c>admissionguard report</c>), the background audit over each Pod as its pages arrive, so that neither keeps
/// the workloads and both count alike.
/// </summary>
public sealed class AdoptionAccumulator
{
    private readonly PolicySnapshot snapshot;
    private readonly IScanFacts scans;
    private readonly DateTimeOffset now;
    private readonly Tally total = new("");
    private readonly Dictionary<string, Tally> byNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FixTally> toFix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UnparseableImage> unparseable = new(StringComparer.Ordinal);
    private readonly Dictionary<CompiledExemption, int> exceptionUse = new(ReferenceEqualityComparer.Instance);
    private VulnerabilityCounts avoided;
    private int count;

    public AdoptionAccumulator(PolicySnapshot snapshot, IScanFacts scans, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(scans);
        ArgumentNullException.ThrowIfNull(time);
        this.snapshot = snapshot;
        this.scans = scans;
        now = time.GetUtcNow();
    }

    /// <summary>Counts every image site of one judged workload.</summary>
    public void Add(JudgedWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        count++;
        if (!PodSpecLocator.TryLocate(workload.Kind, workload.Object, out var spec, out _, out var pointer))
        {
            return;
        }

        if (!byNamespace.TryGetValue(workload.Namespace, out var tally))
        {
            byNamespace[workload.Namespace] = tally = new Tally(workload.Namespace);
        }

        foreach (var site in PodSpecLocator.Sites(spec, pointer))
        {
            var judged = AdoptionAggregator.Find(workload.Verdict.Images, site.Pointer);
            if (!ImageReferenceParser.TryParse(site.Image, out var written, out var parseError))
            {
                tally.Unparseable++;
                total.Unparseable++;
                tally.Grades[6]++;
                total.Grades[6]++;
                if (unparseable.TryGetValue(site.Image, out var seen))
                {
                    unparseable[site.Image] = seen with { Containers = seen.Containers + 1 };
                }
                else if (unparseable.Count < AdoptionAggregator.UnparseableLimit)
                {
                    unparseable[site.Image] = new UnparseableImage(site.Image, parseError, workload.Namespace, $"{workload.Kind}/{workload.Name}", site.Describe(), 1);
                }

                continue;
            }

            var twin = judged?.Replacement;
            var ownScan = scans.Find(written, written.Digest);
            var rewritten = twin is not null && AdoptionAggregator.IsRewritten(workload, judged!, site, twin, written, snapshot);
            ImageReference runs = written;
            if (rewritten && ImageReferenceParser.TryParse(twin!, out var twinReference, out _))
            {
                runs = twinReference;
            }
            else
            {
                rewritten = false;
            }

            var scan = rewritten ? scans.Find(runs, runs.Digest) : ownScan;
            var hardened = rewritten || (judged?.Hardened ?? AdoptionAggregator.AnySourceCallsHardened(snapshot, written));
            if (!hardened)
            {
                twin ??= AdoptionAggregator.MappedTwin(snapshot, written);
            }

            var twinScan = !rewritten && twin is not null ? VulnerabilityCounts.ScanOf(scans, twin) : null;
            var removes = ownScan is not null && (rewritten ? scan : twinScan) is { } other ? VulnerabilityCounts.Removed(ownScan, other) : (VulnerabilityCounts?)null;

            foreach (var t in new[] { tally, total })
            {
                t.Containers++;
                t.Grades[GradeCounts.IndexOf(scan?.Grade)]++;
                if (scan is not null)
                {
                    t.Vulnerabilities += VulnerabilityCounts.Of(scan);
                }

                if (hardened)
                {
                    t.Hardened++;
                    t.Rewritten += rewritten ? 1 : 0;
                }
                else
                {
                    t.NotHardened++;
                    if (removes is { } r)
                    {
                        t.Avoidable += r;
                    }
                }
            }

            if (rewritten && removes is { } a)
            {
                avoided += a;
            }

            if (!hardened)
            {
                var key = written.Normalized;
                if (!toFix.TryGetValue(key, out var fix))
                {
                    toFix[key] = fix = new FixTally(key, scan, twin, twinScan);
                }

                fix.Containers++;
                fix.Namespaces.Add(workload.Namespace);
                fix.Twin ??= twin;
                fix.TwinScan ??= twinScan;
            }

            if (judged is { Exemptions.Count: > 0 })
            {
                AdoptionAggregator.CountExceptions(snapshot, judged, runs, workload.Namespace, now, exceptionUse);
            }
        }
    }

    /// <summary>The adoption picture of everything added so far.</summary>
    public AdoptionPicture Picture()
    {
        var namespaces = byNamespace.Values
            .Select(t => t.ToAdoption())
            .OrderByDescending(n => n.NotHardened + n.Unparseable)
            .ThenBy(n => n.Name, StringComparer.Ordinal)
            .ToList();
        var fixFirst = toFix.Values
            .Select(f => f.ToImage())
            .OrderByDescending(f => f.Score)
            .ThenByDescending(f => f.Containers)
            .ThenBy(f => f.Image, StringComparer.Ordinal)
            .Take(AdoptionAggregator.FixFirstLimit)
            .ToList();
        var (expiring, next) = AdoptionAggregator.Exceptions(snapshot, now, exceptionUse);
        return new AdoptionPicture(now, count, total.ToAdoption(), avoided, namespaces, fixFirst, toFix.Count, expiring, next, [.. unparseable.Values]);
    }

    private sealed class Tally(string name)
    {
        public int Containers;
        public int Hardened;
        public int NotHardened;
        public int Unparseable;
        public int Rewritten;
        public readonly int[] Grades = new int[7];
        public VulnerabilityCounts Vulnerabilities;
        public VulnerabilityCounts Avoidable;

        public NamespaceAdoption ToAdoption() =>
            new(name, Containers + Unparseable, Hardened, NotHardened, Unparseable, Rewritten, GradeCounts.From(Grades), Vulnerabilities, Avoidable);
    }

    private sealed class FixTally(string image, ScanRecord? scan, string? twin, ScanRecord? twinScan)
    {
        public int Containers;
        public readonly SortedSet<string> Namespaces = new(StringComparer.Ordinal);
        public string? Twin = twin;
        public ScanRecord? TwinScan = twinScan;

        public ImageToFix ToImage() => new(
            image,
            Containers,
            [.. Namespaces],
            scan?.Grade,
            scan is null ? null : VulnerabilityCounts.Of(scan),
            Twin,
            TwinScan?.Grade,
            scan is not null && TwinScan is not null ? VulnerabilityCounts.Removed(scan, TwinScan) : null,
            (long)Containers * AdoptionAggregator.Weight(scan?.Grade));
    }
}
