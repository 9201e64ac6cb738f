using AdmissionGuard.Evaluation;
using AdmissionGuard.Images;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Adoption;

/// <summary>
/// Turns judged workloads into the adoption picture: share of containers on hardened images (overall and per
/// namespace), grades, vulnerabilities, what twins would remove, the images to fix first and the exceptions that
/// end soon. Pure: no I/O, time from the <see cref="TimeProvider"/>. <c>admissionguard report</c> prints it; the
/// background audit publishes its <see cref="AdoptionPicture.Namespaces"/> as the <c>admissionguard_workload_*</c> gauges.
/// </summary>
/// <remarks>
/// Every image site of every workload counts (containers, init and ephemeral containers, image volumes), also those
/// no policy judged: whether an image is hardened is a fact of the hardened-image sources, so where no matching
/// policy says, any source of the snapshot decides. A container counts as what it will run: an image that the
/// mutating webhook rewrites (manifests only) counts as its twin, hardened.
/// </remarks>
public static class AdoptionAggregator
{
    /// <summary>How far ahead an exception's end counts as "expiring".</summary>
    public static readonly TimeSpan ExpiryWindow = TimeSpan.FromDays(30);

    /// <summary>How many images to fix are listed.</summary>
    public const int FixFirstLimit = 25;

    private const int UnparseableLimit = 50;

    /// <summary>Weight of "no scan" in the fix-first score: an unknown risk ranks with a middling grade.</summary>
    private const int UnscannedWeight = 3;

    public static AdoptionPicture Aggregate(IEnumerable<JudgedWorkload> workloads, PolicySnapshot snapshot, IScanFacts scans, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(workloads);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(scans);
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        var total = new Tally("");
        var byNamespace = new Dictionary<string, Tally>(StringComparer.Ordinal);
        var toFix = new Dictionary<string, FixTally>(StringComparer.Ordinal);
        var unparseable = new Dictionary<string, UnparseableImage>(StringComparer.Ordinal);
        var exceptionUse = new Dictionary<CompiledExemption, int>(ReferenceEqualityComparer.Instance);
        var avoided = default(VulnerabilityCounts);
        var count = 0;

        foreach (var workload in workloads)
        {
            count++;
            if (!PodSpecLocator.TryLocate(workload.Kind, workload.Object, out var spec, out _, out var pointer))
            {
                continue;
            }

            if (!byNamespace.TryGetValue(workload.Namespace, out var tally))
            {
                byNamespace[workload.Namespace] = tally = new Tally(workload.Namespace);
            }

            foreach (var site in PodSpecLocator.Sites(spec, pointer))
            {
                var judged = Find(workload.Verdict.Images, site.Pointer);
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
                    else if (unparseable.Count < UnparseableLimit)
                    {
                        unparseable[site.Image] = new UnparseableImage(site.Image, parseError, workload.Namespace, $"{workload.Kind}/{workload.Name}", site.Describe(), 1);
                    }

                    continue;
                }

                var twin = judged?.Replacement;
                var ownScan = scans.Find(written, written.Digest);
                var rewritten = twin is not null && IsRewritten(workload, judged!, site, twin, written, snapshot);
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
                var hardened = rewritten || (judged?.Hardened ?? AnySourceCallsHardened(snapshot, written));
                if (!hardened)
                {
                    twin ??= MappedTwin(snapshot, written);
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
                    CountExceptions(snapshot, judged, runs, workload.Namespace, now, exceptionUse);
                }
            }
        }

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
            .Take(FixFirstLimit)
            .ToList();
        var (expiring, next) = Exceptions(snapshot, now, exceptionUse);
        return new AdoptionPicture(now, count, total.ToAdoption(), avoided, namespaces, fixFirst, toFix.Count, expiring, next, [.. unparseable.Values]);
    }

    private static ImageResult? Find(IReadOnlyList<ImageResult> images, string pointer)
    {
        foreach (var image in images)
        {
            if (image.Site.Pointer == pointer)
            {
                return image;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether admission will replace this image by <paramref name="twin"/>: the mutation plans it, or (a workload
    /// template, which is rewritten in each Pod it creates) the engine judged the twin in its place, which it does
    /// only for a planned rewrite: the verdict calls hardened an image no source calls hardened.
    /// </summary>
    private static bool IsRewritten(JudgedWorkload workload, ImageResult judged, ImageSite site, string twin, ImageReference written, PolicySnapshot snapshot)
    {
        if (workload.Rewrites is { } rewrites)
        {
            foreach (var rewrite in rewrites)
            {
                if (rewrite.Pointer == site.Pointer)
                {
                    return rewrite.To.StartsWith(twin, StringComparison.Ordinal);
                }
            }
        }

        return workload.Rewrites is not null && judged.Hardened == true && !AnySourceCallsHardened(snapshot, written);
    }

    /// <summary>
    /// For an image no policy offered a twin for (none judges it, or a twin the registry would have to confirm): the first
    /// mapping of any source, in name order, whose result that source calls hardened. A suggestion, not checked against a registry.
    /// </summary>
    private static string? MappedTwin(PolicySnapshot snapshot, ImageReference image)
    {
        foreach (var source in snapshot.Sources.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            foreach (var (from, to) in source.Mappings)
            {
                if (from.IsMatch(image) && to.Expand(image) is { } candidate && ImageReferenceParser.TryParse(candidate, out var twin, out _) && source.IsHardened(twin))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static bool AnySourceCallsHardened(PolicySnapshot snapshot, ImageReference image)
    {
        foreach (var source in snapshot.Sources.Values)
        {
            if (source.IsHardened(image))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The engine names the policy whose exception applied; within a policy the first covering exception in force is the one.</summary>
    private static void CountExceptions(PolicySnapshot snapshot, ImageResult judged, ImageReference image, string ns, DateTimeOffset now, Dictionary<CompiledExemption, int> use)
    {
        foreach (var policy in snapshot.Policies)
        {
            var prefix = policy.Id + ": ";
            if (!judged.Exemptions.Any(e => e.StartsWith(prefix, StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (var exemption in policy.Exemptions)
            {
                if (now < exemption.Expires && exemption.Covers(image, ns))
                {
                    use[exemption] = use.GetValueOrDefault(exemption) + 1;
                    break;
                }
            }
        }
    }

    private static (List<ExceptionExpiry> Expiring, ExceptionExpiry? Next) Exceptions(PolicySnapshot snapshot, DateTimeOffset now, Dictionary<CompiledExemption, int> use)
    {
        var all = new List<ExceptionExpiry>();
        foreach (var policy in snapshot.Policies)
        {
            foreach (var exemption in policy.Exemptions)
            {
                if (exemption.Expires <= now)
                {
                    continue;
                }

                all.Add(new ExceptionExpiry(
                    policy.Id,
                    [.. exemption.Images.Select(i => i.Pattern)],
                    [.. exemption.Namespaces.Select(n => n.Pattern)],
                    exemption.Expires,
                    (int)Math.Floor((exemption.Expires - now).TotalDays),
                    exemption.Reason,
                    use.GetValueOrDefault(exemption)));
            }
        }

        all.Sort((a, b) => a.Expires != b.Expires ? a.Expires.CompareTo(b.Expires) : string.CompareOrdinal(a.Policy, b.Policy));
        return ([.. all.Where(e => e.Expires <= now + ExpiryWindow)], all.Count == 0 ? null : all[0]);
    }

    private static int Weight(Grade? grade) => grade is { } g ? (int)g + 1 : UnscannedWeight;

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
            (long)Containers * Weight(scan?.Grade));
    }
}
