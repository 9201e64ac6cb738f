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

    internal const int UnparseableLimit = 50;

    /// <summary>Weight of "no scan" in the fix-first score: an unknown risk ranks with a middling grade.</summary>
    internal const int UnscannedWeight = 3;

    public static AdoptionPicture Aggregate(IEnumerable<JudgedWorkload> workloads, PolicySnapshot snapshot, IScanFacts scans, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(workloads);
        var accumulator = new AdoptionAccumulator(snapshot, scans, time);
        foreach (var workload in workloads)
        {
            accumulator.Add(workload);
        }

        return accumulator.Picture();
    }

    internal static ImageResult? Find(IReadOnlyList<ImageResult> images, string pointer)
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
    internal static bool IsRewritten(JudgedWorkload workload, ImageResult judged, ImageSite site, string twin, ImageReference written, PolicySnapshot snapshot)
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
    internal static string? MappedTwin(PolicySnapshot snapshot, ImageReference image)
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

    internal static bool AnySourceCallsHardened(PolicySnapshot snapshot, ImageReference image)
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
    internal static void CountExceptions(PolicySnapshot snapshot, ImageResult judged, ImageReference image, string ns, DateTimeOffset now, Dictionary<CompiledExemption, int> use)
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

    internal static (List<ExceptionExpiry> Expiring, ExceptionExpiry? Next) Exceptions(PolicySnapshot snapshot, DateTimeOffset now, Dictionary<CompiledExemption, int> use)
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

    internal static int Weight(Grade? grade) => grade is { } g ? (int)g + 1 : UnscannedWeight;
}
