using AdmissionGuard.Admission;

namespace AdmissionGuard.Evaluation;

/// <summary>What an UPDATE changes that admission cares about: a workload's pod template as admission reads it.</summary>
internal static class UpdateScope
{
    private static readonly Dictionary<string, string> Empty = new(StringComparer.Ordinal);

    /// <summary>The pod template as admission reads it (images, labels, pull secrets, service account) is the same in both.</summary>
    internal static bool TemplateUnchanged(string kind, WorkloadObject current, WorkloadObject old)
    {
        PodSpecLocator.TryLocate(kind, current, out var spec, out var labels, out var pointer);
        PodSpecLocator.TryLocate(kind, old, out var oldSpec, out var oldLabels, out _);
        if (!SameLabels(labels, oldLabels) || spec?.ServiceAccountName != oldSpec?.ServiceAccountName)
        {
            return false;
        }

        var secrets = spec?.ImagePullSecrets?.Select(s => s?.Name) ?? [];
        var oldSecrets = oldSpec?.ImagePullSecrets?.Select(s => s?.Name) ?? [];
        if (!secrets.SequenceEqual(oldSecrets))
        {
            return false;
        }

        var sites = PodSpecLocator.Sites(spec, pointer);
        var oldSites = PodSpecLocator.Sites(oldSpec, pointer);
        return sites.SequenceEqual(oldSites);
    }

    internal static bool SameLabels(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        var left = a ?? Empty;
        var right = b ?? Empty;
        if (left.Count != right.Count)
        {
            return false;
        }

        foreach (var (key, value) in left)
        {
            if (!right.TryGetValue(key, out var other) || other != value)
            {
                return false;
            }
        }

        return true;
    }
}
