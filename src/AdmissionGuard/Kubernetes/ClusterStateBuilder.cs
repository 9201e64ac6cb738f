using AdmissionGuard.Hosting;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Pure: turns the watch caches into an <see cref="AdmissionState"/> and the status each object should show.
/// An edit that does not compile keeps the object's last good version enforced (<see cref="LastGoodCompiler"/>,
/// the same piece local mode uses); one that never compiled, or that cannot be decoded, enforces nothing.
/// A replica that starts while an object is invalid never saw its last good version, so it enforces nothing of
/// it: the policy webhook exists so that such versions are not stored in the first place.
/// </summary>
internal static class ClusterStateBuilder
{
    public static ClusterState Build(
        IReadOnlyCollection<WatchedObject<HardenedImageSource>> sources,
        IReadOnlyCollection<WatchedObject<ImagePolicy>> clusterPolicies,
        IReadOnlyCollection<WatchedObject<ImagePolicy>> policies,
        IReadOnlyCollection<WatchedObject<Dictionary<string, string>>> namespaces,
        IScanFacts scans,
        LastGoodCompiler? compiler = null)
    {
        compiler ??= new LastGoodCompiler();
        var decodeErrors = new List<PolicyError>();
        foreach (var invalid in sources.Where(s => s.Value is null))
        {
            decodeErrors.Add(new PolicyError(HardenedImageSource.KindName, null, invalid.Meta.Name ?? "<unnamed>", invalid.ErrorField ?? "(object)", invalid.Error ?? "cannot be read"));
        }

        foreach (var invalid in clusterPolicies.Where(p => p.Value is null))
        {
            decodeErrors.Add(new PolicyError(ImagePolicy.ClusterKind, null, invalid.Meta.Name ?? "<unnamed>", invalid.ErrorField ?? "(object)", invalid.Error ?? "cannot be read"));
        }

        foreach (var invalid in policies.Where(p => p.Value is null))
        {
            decodeErrors.Add(new PolicyError(ImagePolicy.NamespacedKind, invalid.Meta.Namespace, invalid.Meta.Name ?? "<unnamed>", invalid.ErrorField ?? "(object)", invalid.Error ?? "cannot be read"));
        }

        // The kind decides cluster or namespaced semantics: trust the collection it came from, not the body.
        var allPolicies = clusterPolicies.Where(p => p.Value is not null).Select(p => WithKind(p.Value!, ImagePolicy.ClusterKind))
            .Concat(policies.Where(p => p.Value is not null).Select(p => WithKind(p.Value!, ImagePolicy.NamespacedKind)));
        var compiled = compiler.Compile([.. sources.Where(s => s.Value is not null).Select(s => s.Value!)], [.. allPolicies], [.. decodeErrors.Select(e => e.ObjectId)]);
        var snapshot = decodeErrors.Count == 0 ? compiled : compiled.WithErrors([.. compiled.Errors, .. decodeErrors]);

        var errorsById = snapshot.Errors.ToLookup(e => e.ObjectId, StringComparer.Ordinal);
        var targets = new List<StatusTarget>();
        StatusTarget Of<T>(ResourcePath resource, WatchedObject<T> item, string id)
            where T : class => Target(resource, item, errorsById[id], compiler.EnforcedGeneration(id));
        targets.AddRange(sources.Select(s => Of(ResourcePath.HardenedImageSources, s, $"{HardenedImageSource.KindName}/{s.Meta.Name}")));
        targets.AddRange(clusterPolicies.Select(p => Of(ResourcePath.ClusterImagePolicies, p, $"{ImagePolicy.ClusterKind}/{p.Meta.Name}")));
        targets.AddRange(policies.Select(p => Of(ResourcePath.ImagePolicies, p, $"{ImagePolicy.NamespacedKind}/{p.Meta.Namespace}/{p.Meta.Name}")));

        var labels = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var ns in namespaces.Where(n => n.Value is not null && n.Meta.Name is not null))
        {
            labels[ns.Meta.Name!] = ns.Value!;
        }

        return new ClusterState(new AdmissionState(snapshot, scans, labels, Loaded: true, NamespacesComplete: true), targets);
    }

    /// <summary>A Namespace's labels as a selector sees them, including the name label the API server sets.</summary>
    public static Dictionary<string, string> NamespaceLabels(ObjectMeta meta) =>
        Evaluation.NamespaceLabels.Of(meta.Name ?? "", meta.Labels);

    private static ImagePolicy WithKind(ImagePolicy policy, string kind)
    {
        policy.Kind ??= kind;
        return policy;
    }

    private static StatusTarget Target<T>(ResourcePath resource, WatchedObject<T> item, IEnumerable<PolicyError> errors, long? enforced)
        where T : class =>
        new(resource, resource.Namespaced ? item.Meta.Namespace : null, item.Meta.Name ?? "", item.Meta.ResourceVersion, item.Meta.Generation, item.Status, [.. errors])
        {
            EnforcedGeneration = enforced,
        };
}
