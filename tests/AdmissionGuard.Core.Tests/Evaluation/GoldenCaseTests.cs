using System.Globalization;
using System.Text;
using System.Text.Json;
using AdmissionGuard.Admission;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;
using AdmissionGuard.Signatures;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Evaluation;

/// <summary>
/// One theory over <c>GoldenCases/&lt;case&gt;/</c>: policies.yaml, object.yaml, optional input.yaml and
/// expected.yaml (or .json) written by hand from API.md. Adding a case means adding a folder.
/// </summary>
/// <remarks>
/// input.yaml: <c>namespace</c> (default: the object's, else "default"), <c>namespaceLabels</c> (a map, or
/// <c>unknown</c> for null; default: Namespace objects in policies.yaml, else only the name label),
/// <c>purpose</c> (Admit = mutate, apply, validate as in a cluster [default]; Validate; Mutate),
/// <c>now</c> (RFC 3339), <c>registry</c> (normalized reference -> {state, digest}), <c>signatures</c> (digest ->
/// signature state; any other digest is Unknown), <c>policyErrors</c> (the
/// number of compile errors the policies must have; default 0), <c>judgeRewritten</c> (true: judge images as their
/// rewrite will make them, as <c>check</c> does; default false). old.yaml: the object before an UPDATE.
/// expected: <c>allowed</c> (required), <c>evaluated</c>, <c>message</c> (fragments, or null for none),
/// <c>messageExcludes</c>, <c>warnings</c> (one fragment per warning, exact count), <c>auditAnnotations</c>
/// (key -> fragments, exact key set), <c>images</c> (exact, in site order), <c>rewrites</c> (exact, from the
/// mutating pass), <c>unverified</c> (exact set). A key left out is not checked.
/// </remarks>
public class GoldenCaseTests
{
    private const int MinimumCases = 45;
    private static readonly DateTimeOffset DefaultNow = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static string Root => Path.Combine(AppContext.BaseDirectory, "Evaluation", "GoldenCases");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var directory in Directory.GetDirectories(Root).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(directory));
        }

        return data;
    }

    [Fact]
    public void GoldenCases_Folder_HoldsEnoughCompleteCases()
    {
        var directories = Directory.GetDirectories(Root);
        Assert.True(directories.Length >= MinimumCases, $"only {directories.Length} golden cases under {Root}");
        foreach (var directory in directories)
        {
            Assert.True(File.Exists(Path.Combine(directory, "policies.yaml")), $"{directory}: policies.yaml missing");
            Assert.True(File.Exists(Path.Combine(directory, "object.yaml")), $"{directory}: object.yaml missing");
            Assert.True(ExpectedPath(directory) is not null, $"{directory}: expected.yaml or expected.json missing");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_GoldenCase_MatchesExpectedVerdict(string name)
    {
        var directory = Path.Combine(Root, name);
        var policies = new ManifestSet();
        policies.AddText(File.ReadAllText(Path.Combine(directory, "policies.yaml")), "policies.yaml");
        Assert.Empty(policies.Errors);
        Assert.Empty(policies.Workloads);
        var snapshot = PolicyCompiler.Compile(policies.Sources, policies.Policies);
        using var inputDocument = ReadOptional(Path.Combine(directory, "input.yaml"));
        var input = inputDocument?.RootElement;
        var policyErrors = String(input, "policyErrors") is { } count ? int.Parse(count, CultureInfo.InvariantCulture) : 0;
        Assert.Equal(policyErrors, snapshot.Errors.Count);
        var scans = ScanIndex.Build(policies.Scans, GradeScale.Default);
        Assert.Empty(scans.Errors);

        var objects = new ManifestSet();
        objects.AddText(File.ReadAllText(Path.Combine(directory, "object.yaml")), "object.yaml");
        Assert.Empty(objects.Errors);
        var workload = Assert.Single(objects.Workloads);
        WorkloadObject? old = null;
        if (File.Exists(Path.Combine(directory, "old.yaml")))
        {
            var olds = new ManifestSet();
            olds.AddText(File.ReadAllText(Path.Combine(directory, "old.yaml")), "old.yaml");
            Assert.Empty(olds.Errors);
            old = Assert.Single(olds.Workloads).Object;
        }

        var ns = String(input, "namespace") ?? workload.Object.Metadata?.Namespace ?? "default";
        IReadOnlyDictionary<string, string>? labels = policies.LabelsOf(ns);
        if (input is { } i && i.TryGetProperty("namespaceLabels", out var nsLabels))
        {
            labels = nsLabels.ValueKind == JsonValueKind.String && nsLabels.GetString() == "unknown"
                ? null
                : nsLabels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }

        var now = String(input, "now") is { } nowText ? DateTimeOffset.Parse(nowText, CultureInfo.InvariantCulture) : DefaultNow;
        var engine = new PolicyEngine(scans.Index, new FakeRegistryFacts(Registry(input), SignatureStates(input)), new FakeTimeProvider(now));
        var judgeRewritten = String(input, "judgeRewritten") == "true";
        var evaluation = new EvaluationInput(workload.Kind, workload.Object, ns, labels, OldObject: old, JudgeRewritten: judgeRewritten);

        var purpose = String(input, "purpose") ?? "Admit";
        Verdict? mutation = null;
        Verdict verdict;
        switch (purpose)
        {
            case "Admit":
                mutation = engine.Evaluate(snapshot, evaluation, EvaluationPurpose.Mutate);
                Assert.True(mutation.Allowed, "the mutating pass must never deny");
                RewriteApplier.Apply(workload.Kind, workload.Object, mutation.Images);
                verdict = engine.Evaluate(snapshot, evaluation, EvaluationPurpose.Validate);
                break;
            case "Mutate":
                mutation = verdict = engine.Evaluate(snapshot, evaluation, EvaluationPurpose.Mutate);
                Assert.True(mutation.Allowed, "the mutating pass must never deny");
                break;
            case "Validate":
                verdict = engine.Evaluate(snapshot, evaluation, EvaluationPurpose.Validate);
                break;
            default:
                throw new InvalidDataException($"{name}: purpose {purpose} is not Admit, Validate or Mutate");
        }

        using var expectedDocument = ReadOptional(ExpectedPath(directory)!)!;
        var problems = new List<string>();
        Compare(expectedDocument.RootElement, verdict, mutation, problems);
        if (problems.Count != 0)
        {
            Assert.Fail($"golden case {name}:\n  {string.Join("\n  ", problems)}\nactual verdict:\n{Describe(verdict, mutation)}");
        }
    }

    private static void Compare(JsonElement expected, Verdict verdict, Verdict? mutation, List<string> problems)
    {
        var allowed = expected.GetProperty("allowed").GetBoolean();
        if (allowed != verdict.Allowed)
        {
            problems.Add($"allowed: expected {allowed}, got {verdict.Allowed}");
        }

        if (expected.TryGetProperty("evaluated", out var evaluated) && evaluated.GetBoolean() != verdict.Evaluated)
        {
            problems.Add($"evaluated: expected {evaluated.GetBoolean()}, got {verdict.Evaluated}");
        }

        if (expected.TryGetProperty("message", out var message))
        {
            if (message.ValueKind == JsonValueKind.Null)
            {
                if (verdict.Message is not null)
                {
                    problems.Add("message: expected none");
                }
            }
            else
            {
                foreach (var fragment in Strings(message))
                {
                    if (verdict.Message is null || !verdict.Message.Contains(fragment, StringComparison.Ordinal))
                    {
                        problems.Add($"message: lacks \"{fragment}\"");
                    }
                }
            }
        }

        if (expected.TryGetProperty("messageExcludes", out var excludes))
        {
            foreach (var fragment in Strings(excludes))
            {
                if (verdict.Message is not null && verdict.Message.Contains(fragment, StringComparison.Ordinal))
                {
                    problems.Add($"message: must not contain \"{fragment}\"");
                }
            }
        }

        if (expected.TryGetProperty("warnings", out var warnings))
        {
            MatchFragments("warnings", Strings(warnings), verdict.Warnings, problems);
        }

        if (expected.TryGetProperty("auditAnnotations", out var audit))
        {
            var keys = audit.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
            var actualKeys = verdict.AuditAnnotations.Keys.Order(StringComparer.Ordinal).ToList();
            if (!keys.SequenceEqual(actualKeys))
            {
                problems.Add($"auditAnnotations: expected keys [{string.Join(", ", keys)}], got [{string.Join(", ", actualKeys)}]");
            }

            foreach (var property in audit.EnumerateObject())
            {
                if (verdict.AuditAnnotations.TryGetValue(property.Name, out var value))
                {
                    foreach (var fragment in Strings(property.Value))
                    {
                        if (!value.Contains(fragment, StringComparison.Ordinal))
                        {
                            problems.Add($"auditAnnotations[{property.Name}]: lacks \"{fragment}\"");
                        }
                    }
                }
            }
        }

        if (expected.TryGetProperty("images", out var images))
        {
            CompareImages(images, verdict.Images, problems);
        }

        if (expected.TryGetProperty("rewrites", out var rewrites))
        {
            CompareRewrites(rewrites, mutation, problems);
        }

        if (expected.TryGetProperty("unverified", out var unverified))
        {
            var want = Strings(unverified).Order(StringComparer.Ordinal).ToList();
            var got = verdict.UnverifiedReferences.Distinct().Order(StringComparer.Ordinal).ToList();
            if (!want.SequenceEqual(got))
            {
                problems.Add($"unverified: expected [{string.Join(", ", want)}], got [{string.Join(", ", got)}]");
            }
        }
    }

    private static void CompareImages(JsonElement images, IReadOnlyList<ImageResult> actual, List<string> problems)
    {
        var expected = images.EnumerateArray().ToList();
        if (expected.Count != actual.Count)
        {
            problems.Add($"images: expected {expected.Count}, got {actual.Count}");
            return;
        }

        for (var i = 0; i < expected.Count; i++)
        {
            var want = expected[i];
            var got = actual[i];
            var at = $"images[{i}]";
            Check(at + ".location", String(want, "location"), got.Site.Location.ToString(), problems);
            Check(at + ".name", String(want, "name"), got.Site.Name, problems);
            Check(at + ".image", String(want, "image"), got.Site.Image, problems);
            if (want.TryGetProperty("normalized", out var normalized))
            {
                Check(at + ".normalized", normalized.GetString(), got.Normalized, problems, always: true);
            }

            if (want.TryGetProperty("parseError", out var parseError))
            {
                if (parseError.ValueKind == JsonValueKind.Null ? got.ParseError is not null
                    : got.ParseError is null || !got.ParseError.Contains(parseError.GetString()!, StringComparison.Ordinal))
                {
                    problems.Add($"{at}.parseError: expected {parseError}, got {got.ParseError ?? "null"}");
                }
            }

            if (want.TryGetProperty("hardened", out var hardened))
            {
                bool? hardenedValue = hardened.ValueKind == JsonValueKind.Null ? null : hardened.GetBoolean();
                if (hardenedValue != got.Hardened)
                {
                    problems.Add($"{at}.hardened: expected {hardened}, got {got.Hardened?.ToString() ?? "null"}");
                }
            }

            if (want.TryGetProperty("grade", out var grade))
            {
                Check(at + ".grade", grade.ValueKind == JsonValueKind.Null ? null : grade.GetString(), got.Grade?.ToString(), problems, always: true);
            }

            if (want.TryGetProperty("replacement", out var replacement))
            {
                Check(at + ".replacement", replacement.ValueKind == JsonValueKind.Null ? null : replacement.GetString(), got.Replacement, problems, always: true);
            }

            if (want.TryGetProperty("violations", out var violations))
            {
                CompareViolations(at, violations, got.Violations, problems);
            }

            if (want.TryGetProperty("exemptions", out var exemptions))
            {
                MatchFragments(at + ".exemptions", Strings(exemptions), got.Exemptions, problems);
            }
        }
    }

    private static void CompareViolations(string at, JsonElement violations, IReadOnlyList<Violation> actual, List<string> problems)
    {
        var remaining = actual.ToList();
        var expected = violations.EnumerateArray().ToList();
        foreach (var want in expected)
        {
            var policy = String(want, "policy")!;
            var rule = String(want, "rule")!;
            var mode = String(want, "mode");
            var reason = String(want, "reason");
            var found = remaining.Find(v => v.PolicyId == policy && v.Rule == rule
                && (mode is null || v.Mode.ToString() == mode)
                && (reason is null || v.Reason.Contains(reason, StringComparison.Ordinal)));
            if (found is null)
            {
                problems.Add($"{at}.violations: none matches {want}");
            }
            else
            {
                remaining.Remove(found);
            }
        }

        foreach (var extra in remaining)
        {
            problems.Add($"{at}.violations: unexpected {extra.PolicyId} {extra.Rule} ({extra.Mode}): {extra.Reason}");
        }
    }

    private static void CompareRewrites(JsonElement rewrites, Verdict? mutation, List<string> problems)
    {
        var actual = mutation?.Rewrites ?? [];
        var expected = rewrites.EnumerateArray().ToList();
        if (expected.Count != actual.Count)
        {
            problems.Add($"rewrites: expected {expected.Count}, got {actual.Count}");
            return;
        }

        for (var i = 0; i < expected.Count; i++)
        {
            Check($"rewrites[{i}].pointer", String(expected[i], "pointer"), actual[i].Pointer, problems);
            Check($"rewrites[{i}].from", String(expected[i], "from"), actual[i].From, problems);
            Check($"rewrites[{i}].to", String(expected[i], "to"), actual[i].To, problems);
            Check($"rewrites[{i}].policy", String(expected[i], "policy"), actual[i].PolicyId, problems);
        }
    }

    /// <summary>Each fragment must be found in a different actual string, and there must be no other.</summary>
    private static void MatchFragments(string what, List<string> fragments, IReadOnlyList<string> actual, List<string> problems)
    {
        if (fragments.Count != actual.Count)
        {
            problems.Add($"{what}: expected {fragments.Count}, got {actual.Count}");
            return;
        }

        var remaining = actual.ToList();
        foreach (var fragment in fragments)
        {
            var index = remaining.FindIndex(a => a.Contains(fragment, StringComparison.Ordinal));
            if (index < 0)
            {
                problems.Add($"{what}: none contains \"{fragment}\"");
            }
            else
            {
                remaining.RemoveAt(index);
            }
        }
    }

    private static void Check(string what, string? expected, string? actual, List<string> problems, bool always = false)
    {
        if ((expected is not null || always) && !string.Equals(expected, actual, StringComparison.Ordinal))
        {
            problems.Add($"{what}: expected \"{expected ?? "null"}\", got \"{actual ?? "null"}\"");
        }
    }

    private static string Describe(Verdict verdict, Verdict? mutation)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"allowed={verdict.Allowed} evaluated={verdict.Evaluated}\nmessage: {verdict.Message}\n");
        foreach (var warning in verdict.Warnings)
        {
            text.Append(CultureInfo.InvariantCulture, $"warning: {warning}\n");
        }

        foreach (var (key, value) in verdict.AuditAnnotations)
        {
            text.Append(CultureInfo.InvariantCulture, $"audit {key}: {value}\n");
        }

        foreach (var image in verdict.Images)
        {
            text.Append(CultureInfo.InvariantCulture, $"image {image.Site.Location} {image.Site.Name} \"{image.Site.Image}\" -> {image.Normalized ?? image.ParseError} hardened={image.Hardened} grade={image.Grade} replacement={image.Replacement}\n");
            foreach (var violation in image.Violations)
            {
                text.Append(CultureInfo.InvariantCulture, $"  violation {violation.PolicyId} {violation.Rule} {violation.Mode}: {violation.Reason}\n");
            }

            foreach (var exemption in image.Exemptions)
            {
                text.Append(CultureInfo.InvariantCulture, $"  exemption {exemption}\n");
            }
        }

        foreach (var rewrite in mutation?.Rewrites ?? [])
        {
            text.Append(CultureInfo.InvariantCulture, $"rewrite {rewrite.Pointer}: {rewrite.From} -> {rewrite.To} ({rewrite.PolicyId})\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"unverified: {string.Join(", ", verdict.UnverifiedReferences)}\n");
        return text.ToString();
    }

    private static Dictionary<string, RegistryFact> Registry(JsonElement? input)
    {
        var facts = new Dictionary<string, RegistryFact>(StringComparer.Ordinal);
        if (input is { } i && i.TryGetProperty("registry", out var registry))
        {
            foreach (var entry in registry.EnumerateObject())
            {
                var state = Enum.Parse<RegistryFactState>(String(entry.Value, "state")!);
                facts[entry.Name] = new RegistryFact(state, String(entry.Value, "digest"));
            }
        }

        return facts;
    }

    private static Dictionary<string, SignatureState> SignatureStates(JsonElement? input)
    {
        var states = new Dictionary<string, SignatureState>(StringComparer.Ordinal);
        if (input is { } i && i.TryGetProperty("signatures", out var signatures))
        {
            foreach (var entry in signatures.EnumerateObject())
            {
                states[entry.Name] = Enum.Parse<SignatureState>(entry.Value.GetString()!);
            }
        }

        return states;
    }

    private static string? ExpectedPath(string directory) =>
        new[] { "expected.yaml", "expected.json" }.Select(f => Path.Combine(directory, f)).FirstOrDefault(File.Exists);

    private static JsonDocument? ReadOptional(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var documents = YamlDocuments.Read(File.ReadAllText(path));
        return Assert.Single(documents);
    }

    private static string? String(JsonElement? element, string property) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    private static List<string> Strings(JsonElement element) => element.ValueKind == JsonValueKind.Array
        ? [.. element.EnumerateArray().Select(e => e.GetString()!)]
        : [element.GetString()!];

    private sealed class FakeRegistryFacts(Dictionary<string, RegistryFact> facts, Dictionary<string, SignatureState> signatures) : IRegistryFacts
    {
        public RegistryFact Lookup(string normalizedReference) =>
            facts.TryGetValue(normalizedReference, out var fact) ? fact : RegistryFact.Unknown;

        public SignatureFact Signatures(SignatureQuery query) => signatures.TryGetValue(query.Digest, out var state)
            ? new SignatureFact(state, null, new HashSet<string>(), null)
            : SignatureFact.Unknown;
    }
}
