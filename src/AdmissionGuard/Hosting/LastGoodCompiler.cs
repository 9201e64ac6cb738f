using AdmissionGuard.Policies;

namespace AdmissionGuard.Hosting;

/// <summary>
/// Compiles policies and sources so that an invalid edit never fails open: an object whose new version does not
/// compile keeps its last good version enforced; one that never compiled enforces nothing. Its errors stay in
/// the snapshot either way, so status, logs and metrics show them. One piece for both modes: the policy folder
/// (<see cref="LocalPolicyLoader"/>) and the cluster's watch caches (Kubernetes.ClusterStateBuilder).
/// Not thread-safe: each loader owns one and compiles from one loop.
/// </summary>
internal sealed class LastGoodCompiler
{
    private readonly Dictionary<string, object> lastGood = new(StringComparer.Ordinal);

    /// <summary>The <c>metadata.generation</c> of the version that is enforced for this object id, when it has one.</summary>
    public long? EnforcedGeneration(string objectId) =>
        lastGood.TryGetValue(objectId, out var kept) ? (kept as HardenedImageSource)?.Metadata?.Generation ?? (kept as ImagePolicy)?.Metadata?.Generation : null;

    /// <summary>Whether a last good version of this object is being enforced in place of an invalid one.</summary>
    public bool HasLastGood(string objectId) => lastGood.ContainsKey(objectId);

    /// <param name="unreadable">Ids of objects whose new version could not even be decoded: they keep their last good version too.</param>
    public PolicySnapshot Compile(IReadOnlyCollection<HardenedImageSource> sources, IReadOnlyCollection<ImagePolicy> policies, IReadOnlyCollection<string>? unreadable = null)
    {
        unreadable ??= [];
        var present = new HashSet<string>(sources.Select(Id).Concat(policies.Select(Id)).Concat(unreadable), StringComparer.Ordinal);
        var keptUnreadable = unreadable.Where(lastGood.ContainsKey).Select(id => lastGood[id]).ToList();
        if (keptUnreadable.Count != 0)
        {
            sources = [.. sources, .. keptUnreadable.OfType<HardenedImageSource>()];
            policies = [.. policies, .. keptUnreadable.OfType<ImagePolicy>()];
        }

        var snapshot = PolicyCompiler.Compile(sources, policies);
        foreach (var gone in lastGood.Keys.Where(k => !present.Contains(k)).ToList())
        {
            // Deleted: nothing of it is enforced any more, and a new object of that name starts afresh.
            lastGood.Remove(gone);
        }

        if (snapshot.Errors.Count == 0)
        {
            Remember(sources, policies);
            return snapshot;
        }

        var failed = new HashSet<string>(snapshot.Errors.Select(e => e.ObjectId), StringComparer.Ordinal);
        var keptSources = sources.Select(s => failed.Contains(Id(s)) && lastGood.TryGetValue(Id(s), out var old) ? (HardenedImageSource)old : s)
            .Where(s => !failed.Contains(Id(s)) || lastGood.ContainsKey(Id(s))).ToList();
        var keptPolicies = policies.Select(p => failed.Contains(Id(p)) && lastGood.TryGetValue(Id(p), out var old) ? (ImagePolicy)old : p)
            .Where(p => !failed.Contains(Id(p)) || lastGood.ContainsKey(Id(p))).ToList();
        var retried = PolicyCompiler.Compile(keptSources, keptPolicies);
        Remember(keptSources.Where(s => !failed.Contains(Id(s))), keptPolicies.Where(p => !failed.Contains(Id(p))));

        // The errors of the new versions stay visible even though old versions serve.
        return retried.WithErrors(snapshot.Errors);
    }

    private void Remember(IEnumerable<HardenedImageSource> sources, IEnumerable<ImagePolicy> policies)
    {
        foreach (var source in sources)
        {
            lastGood[Id(source)] = source;
        }

        foreach (var policy in policies)
        {
            lastGood[Id(policy)] = policy;
        }
    }

    public static string Id(HardenedImageSource source) => $"{HardenedImageSource.KindName}/{source.Metadata?.Name ?? "<unnamed>"}";

    /// <summary>The id the compiler's errors name the policy by (<see cref="PolicyError.ObjectId"/>).</summary>
    public static string Id(ImagePolicy policy)
    {
        var kind = policy.Kind ?? ImagePolicy.ClusterKind;
        var ns = kind == ImagePolicy.NamespacedKind ? policy.Metadata?.Namespace : null;
        var name = policy.Metadata?.Name ?? "<unnamed>";
        return ns is null ? $"{kind}/{name}" : $"{kind}/{ns}/{name}";
    }
}
