using System.Text.Json.Nodes;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Evaluation;

/// <summary>
/// Differential property: random Pods in random namespaces against one fixed policy set; the engine's
/// verdict must agree with <see cref="Oracle"/>, a deliberately naive re-reading of API.md written with
/// plain string operations for just the image shapes <see cref="Image"/> generates. It shares no code
/// with ImageReferenceParser, ImageGlob or RegistryPrefix, so a bug has to be made twice to hide.
/// </summary>
public class OracleTests
{
    private const string Policies = """
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: dhi}
        spec:
          hardened: ["dhi.io/**"]
          notHardened: ["**:*-dev"]
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: HardenedImageSource
        metadata: {name: suffix}
        spec:
          hardened: ["**:*-hardened"]
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: harden}
        spec:
          mode: Enforce
          match: {excludeNamespaces: ["kube-system"]}
          rules:
            hardened: {required: true, sources: [dhi, suffix]}
          exceptions:
            - images: ["docker.io/bitnami/legacy"]
              namespaces: ["legacy"]
              expires: "2099-03-31T00:00:00Z"
              reason: "SEC-123 migration"
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: registries}
        spec:
          mode: Warn
          match: {namespaces: ["prod", "team-*"]}
          rules:
            registries: {allowed: ["dhi.io", "registry.example.com/team-*", "localhost:5000"]}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ClusterImagePolicy
        metadata: {name: tags}
        spec:
          mode: Enforce
          match: {namespaceSelector: {matchLabels: {env: prod}}}
          images: {exclude: ["registry.example.com/team-x/**"]}
          rules:
            tags: {disallowed: ["latest", "*-rc*"]}
        ---
        apiVersion: admissionguard.io/v1alpha1
        kind: ImagePolicy
        metadata: {name: team, namespace: team-x}
        spec:
          mode: Enforce
          rules:
            registries: {allowed: ["registry.example.com/team-x"]}
            tags: {disallowed: ["*-dev"]}
        """;

    private static readonly string[] Namespaces = ["default", "prod", "prod-eu", "dev", "team-x", "team-y", "legacy", "kube-system"];

    private static readonly string[] Registries =
    [
        "", "", "docker.io/", "index.docker.io/", "dhi.io/", "dhi.io/", "dhi.io.evil.com/", "registry.example.com/team-x/",
        "registry.example.com/team-y/", "registry.example.com/team-xevil/", "registry.example.com/", "localhost:5000/", "localhost:5001/",
    ];

    private static readonly string[] Paths = ["nginx", "python", "bitnami/legacy", "library/busybox", "app/api"];

    private static readonly string?[] Tags = [null, null, "latest", "1.25", "2.0-rc1", "1.25-dev", "1.25-hardened", "7-rc2-hardened", "3.12-sfw-dev"];

    private static readonly string?[] Digests =
    [
        null, null, null,
        "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78",
        "sha256:" + new string('a', 64),
    ];

    private static readonly string[] Unparseable =
    [
        "Nginx:1.25", "nginx:", "nginx@sha256:abc", " nginx", "https://dhi.io/nginx", "nginx::1", "dhi.io//x",
        "nginx@md5:d41d8cd98f00b204e9800998ecf8427e", "registry.example.com/team-x/API", "dhi.io/nginx:1.25\n", "nginx@sha256:" + new string('A', 64),
    ];

    private static readonly string[] Locations = ["containers", "initContainers", "ephemeralContainers", "volumes"];

    private static readonly PolicySnapshot Snapshot = Compile();

    private static readonly PolicyEngine Engine = new(ScanIndex.Empty, NoRegistryFacts.Instance, new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));

    [Property(MaxTest = 1000)]
    public Property Evaluate_RandomPod_AgreesWithOracle()
    {
        var site = from location in Gen.Elements(Locations)
                   from image in Image()
                   select (Location: location, Image: image);
        var pod = from ns in Gen.Elements(Namespaces)
                  from count in Gen.Choose(1, 6)
                  from sites in site.ArrayOf(count)
                  select new RandomPod(ns, sites);
        return Prop.ForAll(Arb.From(pod), Agrees);
    }

    private static Gen<string> Image()
    {
        var parseable = from registry in Gen.Elements(Registries)
                        from path in Gen.Elements(Paths)
                        from tag in Gen.Elements(Tags)
                        from digest in Gen.Elements(Digests)
                        select registry + path + (tag is null ? "" : ":" + tag) + (digest is null ? "" : "@" + digest);
        return Gen.Frequency((8, parseable), (1, Gen.Elements(Unparseable)));
    }

    private static bool Agrees(RandomPod pod)
    {
        var set = new ManifestSet();
        set.AddText(pod.ToJson(), "pod.json");
        Assert.Empty(set.Errors);
        var workload = Assert.Single(set.Workloads);
        var verdict = Engine.Evaluate(Snapshot, new EvaluationInput("Pod", workload.Object, pod.Namespace, Oracle.Labels(pod.Namespace)), EvaluationPurpose.Validate);

        var actual = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var image in verdict.Images)
        {
            foreach (var violation in image.Violations)
            {
                actual.Add($"{image.Site.Name} {violation.PolicyId} {violation.Rule} {violation.Mode}");
            }
        }

        var expected = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < pod.Sites.Length; i++)
        {
            foreach (var violation in Oracle.Violations(pod.Sites[i].Image, pod.Namespace))
            {
                expected.Add($"c{i} {violation}");
            }
        }

        var expectedAllowed = !expected.Any(v => v.EndsWith(" Enforce", StringComparison.Ordinal));
        // Where no policy matches the engine lists no images; where any does, it lists every site.
        if ((verdict.Images.Count != 0 && verdict.Images.Count != pod.Sites.Length) || verdict.Allowed != expectedAllowed || !expected.SetEquals(actual))
        {
            Assert.Fail($"""
                engine and oracle disagree for {pod}
                allowed: engine {verdict.Allowed}, oracle {expectedAllowed}; images: engine {verdict.Images.Count}, pod {pod.Sites.Length}
                only engine: {string.Join("; ", actual.Except(expected))}
                only oracle: {string.Join("; ", expected.Except(actual))}
                """);
        }

        return true;
    }

    private static PolicySnapshot Compile()
    {
        var set = new ManifestSet();
        set.AddText(Policies, "oracle-policies.yaml");
        Assert.Empty(set.Errors);
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        Assert.Empty(snapshot.Errors);
        return snapshot;
    }

    public sealed record RandomPod(string Namespace, (string Location, string Image)[] Sites)
    {
        public string ToJson()
        {
            var spec = new JsonObject();
            for (var i = 0; i < Sites.Length; i++)
            {
                var (location, image) = Sites[i];
                JsonObject item = location == "volumes"
                    ? new() { ["name"] = $"c{i}", ["image"] = new JsonObject { ["reference"] = image } }
                    : new() { ["name"] = $"c{i}", ["image"] = image };
                if (spec[location] is not JsonArray list)
                {
                    spec[location] = list = [];
                }

                list.Add(item);
            }

            var pod = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = "random", ["namespace"] = Namespace },
                ["spec"] = spec,
            };
            return pod.ToJsonString();
        }

        public override string ToString() =>
            $"namespace {Namespace}: {string.Join(", ", Sites.Select((s, i) => $"c{i} {s.Location} \"{s.Image}\""))}";
    }

    /// <summary>API.md read literally, for the generator's shapes only.</summary>
    private static class Oracle
    {
        public static Dictionary<string, string> Labels(string ns)
        {
            var labels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns };
            if (ns is "prod" or "prod-eu")
            {
                labels["env"] = "prod";
            }
            else if (ns == "dev")
            {
                labels["env"] = "dev";
            }

            return labels;
        }

        /// <summary>"policyId rule mode" for each violation of one image.</summary>
        public static List<string> Violations(string text, string ns)
        {
            var policies = new List<(string Id, string Mode)>();
            if (ns != "kube-system")
            {
                policies.Add(("ClusterImagePolicy/harden", "Enforce"));
            }

            if (ns == "prod" || ns.StartsWith("team-", StringComparison.Ordinal))
            {
                policies.Add(("ClusterImagePolicy/registries", "Warn"));
            }

            if (Labels(ns).TryGetValue("env", out var env) && env == "prod")
            {
                policies.Add(("ClusterImagePolicy/tags", "Enforce"));
            }

            if (ns == "team-x")
            {
                policies.Add(("ImagePolicy/team-x/team", "Enforce"));
            }

            var result = new List<string>();
            var image = Parse(text);
            foreach (var (id, mode) in policies)
            {
                if (image is null)
                {
                    result.Add($"{id} reference {mode}");
                    continue;
                }

                var (repository, tag, digest) = image.Value;
                var effectiveTag = tag ?? (digest is null ? "latest" : null);
                switch (id)
                {
                    case "ClusterImagePolicy/harden":
                        var exempt = repository == "docker.io/bitnami/legacy" && ns == "legacy";
                        var hardened = (repository.StartsWith("dhi.io/", StringComparison.Ordinal) && !(tag?.EndsWith("-dev", StringComparison.Ordinal) ?? false))
                            || (tag?.EndsWith("-hardened", StringComparison.Ordinal) ?? false);
                        if (!exempt && !hardened)
                        {
                            result.Add($"{id} hardened {mode}");
                        }

                        break;
                    case "ClusterImagePolicy/registries":
                        var segments = repository.Split('/');
                        var allowed = segments[0] == "dhi.io"
                            || (segments[0] == "registry.example.com" && segments[1].StartsWith("team-", StringComparison.Ordinal) && segments[1].Length > 5)
                            || segments[0] == "localhost:5000";
                        if (!allowed)
                        {
                            result.Add($"{id} registries {mode}");
                        }

                        break;
                    case "ClusterImagePolicy/tags":
                        var excluded = repository.StartsWith("registry.example.com/team-x/", StringComparison.Ordinal);
                        if (!excluded && effectiveTag is not null && (effectiveTag == "latest" || effectiveTag.Contains("-rc", StringComparison.Ordinal)))
                        {
                            result.Add($"{id} tags {mode}");
                        }

                        break;
                    default:
                        if (repository != "registry.example.com/team-x" && !repository.StartsWith("registry.example.com/team-x/", StringComparison.Ordinal))
                        {
                            result.Add($"{id} registries {mode}");
                        }

                        if (effectiveTag is not null && effectiveTag.EndsWith("-dev", StringComparison.Ordinal))
                        {
                            result.Add($"{id} tags {mode}");
                        }

                        break;
                }
            }

            return result;
        }

        /// <summary>(normalized repository, tag, digest), or null where Docker would refuse the string.</summary>
        private static (string Repository, string? Tag, string? Digest)? Parse(string text)
        {
            if (text.Length == 0 || text.Contains("://", StringComparison.Ordinal))
            {
                return null;
            }

            foreach (var c in text)
            {
                if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' || ".-_/:@".Contains(c, StringComparison.Ordinal)))
                {
                    return null;
                }
            }

            string? digest = null;
            var at = text.IndexOf('@', StringComparison.Ordinal);
            if (at >= 0)
            {
                digest = text[(at + 1)..];
                text = text[..at];
                var hex = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest["sha256:".Length..] : "";
                if (hex.Length != 64 || !hex.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
                {
                    return null;
                }
            }

            string? tag = null;
            var colon = text.IndexOf(':', text.LastIndexOf('/') + 1);
            if (colon >= 0)
            {
                tag = text[(colon + 1)..];
                text = text[..colon];
                if (tag.Length == 0 || tag.Contains(':', StringComparison.Ordinal))
                {
                    return null;
                }
            }

            var parts = text.Split('/').ToList();
            if (parts.Any(p => p.Length == 0))
            {
                return null;
            }

            var registry = "docker.io";
            if (parts.Count > 1 && (parts[0].Contains('.', StringComparison.Ordinal) || parts[0].Contains(':', StringComparison.Ordinal) || parts[0] == "localhost"))
            {
                registry = parts[0] == "index.docker.io" ? "docker.io" : parts[0];
                parts.RemoveAt(0);
            }

            if (registry == "docker.io" && parts.Count == 1)
            {
                parts.Insert(0, "library");
            }

            return (registry + "/" + string.Join('/', parts), tag, digest);
        }
    }
}
