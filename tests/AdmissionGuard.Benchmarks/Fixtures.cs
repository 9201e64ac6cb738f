using System.Globalization;
using System.Text;
using System.Text.Json;
using AdmissionGuard.Admission;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Benchmarks;

/// <summary>The recorded reviews and bench policies, shared by every benchmark and by tests/load/run.sh.</summary>
internal static class Fixtures
{
    /// <summary>The clock the benchmarks run at: a day after the bench scans were taken, so <c>maxAge: 168h</c> passes.</summary>
    public static readonly DateTimeOffset ScannedAt = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    public static readonly TimeProvider Clock = new FixedTimeProvider(ScannedAt.AddDays(1));

    public static string Directory(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, name), Path.Combine(dir.FullName, "tests", "AdmissionGuard.Benchmarks", name) })
            {
                if (System.IO.Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException($"{name} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The result of a handler call run to completion (most complete synchronously, allocating no task).</summary>
    public static T Wait<T>(ValueTask<T> pending) => pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    public static byte[] Review(string name) => File.ReadAllBytes(Path.Combine(Directory("Reviews"), name + ".json"));

    public static WorkloadObject PodOf(string reviewName)
    {
        var review = JsonSerializer.Deserialize(Review(reviewName), AgJsonContext.Default.AdmissionReview)!;
        return review.Request!.Object!;
    }

    /// <summary>
    /// The bench policy files (sources, the prod Namespace, the production policy, scans) plus
    /// <paramref name="teamPolicies"/> generated ones that do not apply to namespace "prod": per-team
    /// ImagePolicies and team-scoped ClusterImagePolicies, as a large cluster has them.
    /// </summary>
    public static ManifestSet Load(int teamPolicies, Func<int, string>? extra = null)
    {
        var set = new ManifestSet();
        foreach (var file in System.IO.Directory.GetFiles(Directory("Policies"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file).Replace("__SCANNED_AT__", ScannedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), StringComparison.Ordinal);
            set.AddText(text, Path.GetFileName(file));
        }

        var generated = new StringBuilder();
        for (var i = 1; i <= teamPolicies; i++)
        {
            generated.Append(extra?.Invoke(i) ?? TeamPolicy(i)).Append("---\n");
        }

        if (generated.Length != 0)
        {
            set.AddText(generated.ToString(), "generated");
        }

        if (set.Errors.Count != 0)
        {
            throw new InvalidDataException(string.Join("\n", set.Errors));
        }

        return set;
    }

    public static PolicySnapshot Compile(ManifestSet set)
    {
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        if (snapshot.Errors.Count != 0)
        {
            throw new InvalidDataException(string.Join("\n", snapshot.Errors));
        }

        return snapshot;
    }

    public static IScanFacts Scans(ManifestSet set) => ScanIndex.Build(set.Scans, GradeScale.Default).Index;

    /// <summary>Alternately a namespaced ImagePolicy in team-N and a ClusterImagePolicy for team-N-* namespaces.</summary>
    public static string TeamPolicy(int i) => i % 2 == 0
        ? $$"""
          apiVersion: admissionguard.io/v1alpha1
          kind: ImagePolicy
          metadata: {name: team-{{i}}, namespace: team-{{i}}}
          spec:
            mode: Enforce
            rules:
              hardened: {required: true, sources: [docker-hardened-images]}
              tags: {disallowed: ["latest"]}

          """
        : $$"""
          apiVersion: admissionguard.io/v1alpha1
          kind: ClusterImagePolicy
          metadata: {name: team-{{i}}}
          spec:
            mode: Warn
            match: {namespaces: ["team-{{i}}-*"]}
            rules:
              registries: {allowed: ["registry.example.com/team-{{i}}"]}
              scan: {minGrade: C, onMissing: Deny}

          """;

    /// <summary>A policy that applies to "prod" like production does, with the mode varied; for the 10-policy engine case.</summary>
    public static string ProdPolicy(int i)
    {
        var mode = (i % 3) switch { 0 => "Enforce", 1 => "Warn", _ => "Audit" };
        return $$$"""
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: prod-{{{i}}}}
        spec:
          mode: {{{mode}}}
          match:
            namespaceSelector: {matchLabels: {env: prod}}
          rules:
            hardened: {required: true, sources: [docker-hardened-images, hardened-tag-suffix]}
            registries: {allowed: ["dhi.io", "registry.example.com/team-*"]}
            tags: {disallowed: ["latest", "*-rc*"]}
            scan: {minGrade: B, maxCritical: 0, maxAge: 168h, onMissing: Warn}

        """;
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
