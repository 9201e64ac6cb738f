using System.Text;
using AdmissionGuard.Images;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Evaluation;

/// <summary>
/// The pure engine: an object, a compiled snapshot and cached facts in, a <see cref="Verdict"/> out.
/// No HTTP, no API server, no locks: the webhook, <c>check</c> and the tests run this same code.
/// </summary>
public sealed class PolicyEngine(IScanFacts scans, IRegistryFacts registry, TimeProvider time)
{
    public const string MetadataNameLabel = "kubernetes.io/metadata.name";

    private static readonly Violation[] NoViolations = [];
    private static readonly string[] NoExemptions = [];
    private static readonly Dictionary<string, string> NoAudit = new(StringComparer.Ordinal);

    public Verdict Evaluate(PolicySnapshot snapshot, EvaluationInput input, EvaluationPurpose purpose)
    {
        if (!PodSpecLocator.TryLocate(input.Kind, input.Object, out var spec, out var podLabels, out var pointer))
        {
            return Verdict.NotEvaluated;
        }

        var isTemplate = input.Kind != "Pod";
        var matching = MatchingPolicies(snapshot, input, podLabels, out var labelsUnknown);
        if (matching.Count == 0)
        {
            return Verdict.AllowedEmpty;
        }

        var context = new RuleContext(scans, registry, time.GetUtcNow());
        var sites = PodSpecLocator.Sites(spec, pointer);
        var results = new List<ImageResult>(sites.Count);
        var warnings = new List<string>();
        var rewrites = new List<ImageRewrite>();
        var unverified = new List<string>();

        var running = RunningImages(input);
        foreach (var site in sites)
        {
            // A Pod UPDATE can change only images and metadata. An image the Pod already runs was judged when
            // it arrived; judging it again would block unrelated updates (even removing a finalizer) and
            // rewriting it would restart a running container.
            if (running is not null && running.Contains(site.Image))
            {
                continue;
            }

            if (!ImageReferenceParser.TryParse(site.Image, out var image, out var parseError))
            {
                var parseViolations = new List<Violation>();
                if (purpose == EvaluationPurpose.Validate)
                {
                    foreach (var policy in matching)
                    {
                        parseViolations.Add(new Violation(policy.Id, policy.Mode, "reference", $"cannot be parsed: {parseError}"));
                    }
                }

                results.Add(new ImageResult(site, null, parseError, null, null, parseViolations, null, null, []));
                continue;
            }

            var plan = PlanRewrite(matching, image, site, input.Namespace, labelsUnknown, context, unverified, out var replacement);
            if (purpose == EvaluationPurpose.Mutate)
            {
                if (plan is not null && (!isTemplate || plan.Value.Policy.RewriteTarget == RewriteTarget.Workloads))
                {
                    var rewrite = new ImageRewrite(site.Pointer, site.Image, plan.Value.To, plan.Value.Policy.Id);
                    rewrites.Add(rewrite);
                    results.Add(new ImageResult(site, image.Normalized, null, null, null, [], replacement, rewrite, []));
                }

                continue;
            }

            // A template image that a pod-time rewrite will replace is judged as its replacement:
            // `kubectl apply` of a Deployment should fail only for what will really fail.
            var judged = image;
            if ((isTemplate || input.JudgeRewritten) && plan is not null && ImageReferenceParser.TryParse(plan.Value.To, out var twin, out _))
            {
                judged = twin;
                warnings.Add($"{site.Describe()}: image \"{site.Image}\" will be replaced by \"{plan.Value.To}\"");
            }

            // Most images pass: their lists stay null and the result gets shared empties.
            List<Violation>? violations = null;
            List<string>? exemptions = null;
            foreach (var policy in matching)
            {
                if (labelsUnknown && !policy.NamespaceSelector.IsEmpty)
                {
                    (violations ??= []).Add(new Violation(policy.Id, policy.Mode, "namespaceSelector", $"cannot be checked: the labels of namespace \"{input.Namespace}\" are not known"));
                    continue;
                }

                if (!policy.Selects(judged))
                {
                    continue;
                }

                if (Exempt(policy, judged, input.Namespace, context.Now, ref exemptions))
                {
                    continue;
                }

                foreach (var rule in policy.Rules)
                {
                    var result = rule.Evaluate(judged, context);
                    if (result.Outcome == RuleOutcome.Fail)
                    {
                        var reason = result.Reason!;
                        if (rule is Rules.HardenedRule)
                        {
                            reason += replacement is not null ? $"; use \"{replacement}\"" : UnverifiedHint(policy, image, unverified, context);
                        }

                        (violations ??= []).Add(new Violation(policy.Id, policy.Mode, rule.Name, reason));
                    }
                    else if (result.Outcome == RuleOutcome.Warn && policy.Mode == PolicyMode.Audit)
                    {
                        // Audit is "allow, record only": a warning outcome is recorded, not shown to the user.
                        (violations ??= []).Add(new Violation(policy.Id, policy.Mode, rule.Name, result.Reason!));
                    }
                    else if (result.Outcome == RuleOutcome.Warn)
                    {
                        warnings.Add($"{site.Describe()}: image \"{site.Image}\" {result.Reason} ({policy.Id})");
                    }
                }
            }

            var record = scans.Find(judged, context.DigestOf(judged));
            results.Add(new ImageResult(site, image.Normalized, null, AnyHardened(matching, judged), record?.Grade, (IReadOnlyList<Violation>?)violations ?? NoViolations, replacement, null, (IReadOnlyList<string>?)exemptions ?? NoExemptions));
        }

        return Compose(results, warnings, rewrites, unverified, input.Namespace);
    }

    private static HashSet<string>? RunningImages(EvaluationInput input)
    {
        if (input.Kind != "Pod" || input.OldObject?.Spec is not { } old)
        {
            return null;
        }

        var images = new HashSet<string>(StringComparer.Ordinal);
        foreach (var site in PodSpecLocator.Sites(old, "/spec"))
        {
            images.Add(site.Image);
        }

        return images;
    }

    private static List<CompiledPolicy> MatchingPolicies(PolicySnapshot snapshot, EvaluationInput input, IReadOnlyDictionary<string, string>? podLabels, out bool labelsUnknown)
    {
        labelsUnknown = input.NamespaceLabels is null;
        var matching = new List<CompiledPolicy>();
        foreach (var policy in snapshot.Policies)
        {
            if (policy.Namespace is not null && !string.Equals(policy.Namespace, input.Namespace, StringComparison.Ordinal))
            {
                continue;
            }

            if (policy.Namespaces.Length != 0 && !NameGlob.AnyMatch(policy.Namespaces, input.Namespace))
            {
                continue;
            }

            if (NameGlob.AnyMatch(policy.ExcludeNamespaces, input.Namespace))
            {
                continue;
            }

            // Unknown namespace labels never mean "no match": the policy stays and fails closed.
            if (!policy.NamespaceSelector.IsEmpty && input.NamespaceLabels is not null && !policy.NamespaceSelector.Matches(input.NamespaceLabels))
            {
                continue;
            }

            if (!policy.PodSelector.Matches(podLabels))
            {
                continue;
            }

            matching.Add(policy);
        }

        return matching;
    }

    private static bool Exempt(CompiledPolicy policy, ImageReference image, string ns, DateTimeOffset now, ref List<string>? exemptions)
    {
        foreach (var exemption in policy.Exemptions)
        {
            if (exemption.Covers(image, ns) && now < exemption.Expires)
            {
                (exemptions ??= []).Add($"{policy.Id}: {exemption.Reason} (until {exemption.Expires.UtcDateTime:yyyy-MM-dd})");
                return true;
            }
        }

        return false;
    }

    private static bool? AnyHardened(List<CompiledPolicy> matching, ImageReference image)
    {
        bool? hardened = null;
        foreach (var policy in matching)
        {
            if (policy.Sources.Length != 0)
            {
                if (policy.IsHardened(image))
                {
                    return true;
                }

                hardened = false;
            }
        }

        return hardened;
    }

    private readonly record struct Plan(CompiledPolicy Policy, string To);

    /// <summary>
    /// The rewrite for one image: policies in name order, each policy's sources in written order, the
    /// first mapping that yields a usable twin wins. Never chains. Also finds the replacement to suggest.
    /// </summary>
    private static Plan? PlanRewrite(List<CompiledPolicy> matching, ImageReference image, ImageSite site, string ns, bool labelsUnknown, in RuleContext context, List<string> unverified, out string? replacement)
    {
        replacement = null;
        Plan? plan = null;
        Plan? pinOnly = null;
        foreach (var policy in matching)
        {
            // A policy whose namespaceSelector cannot be checked fails closed in validation; it must not rewrite.
            if (labelsUnknown && !policy.NamespaceSelector.IsEmpty)
            {
                continue;
            }

            if (!policy.Selects(image) || policy.IsHardened(image))
            {
                if (plan is null && PinsTags(policy, image, ns, context) && policy.Selects(image) && image.Digest is null)
                {
                    plan = PinOnly(policy, image, site, context, unverified);
                }

                continue;
            }

            var twin = Twin(policy, image, context, unverified);
            if (twin is null)
            {
                // pinDigest pins "the rewritten (or any tag-only) image"; a twin from a later policy still wins.
                if (pinOnly is null && PinsTags(policy, image, ns, context) && image.Digest is null)
                {
                    pinOnly = PinOnly(policy, image, site, context, unverified);
                }

                continue;
            }

            replacement ??= twin;
            if (plan is null && policy.RewriteEnabled && !Exempted(policy, image, ns, context.Now))
            {
                var to = twin;
                if ((policy.PinDigest || policy.VerifiesSignatures) && ImageReferenceParser.TryParse(twin, out var twinReference, out _))
                {
                    to = Pin(twinReference, twin, context, unverified);
                }

                plan = new Plan(policy, to);
            }
            else if (pinOnly is null && policy.VerifiesSignatures && image.Digest is null && !Exempted(policy, image, ns, context.Now))
            {
                // Not rewritten here, but its signature is verified: the Pod must run the digest that was verified.
                pinOnly = PinOnly(policy, image, site, context, unverified);
            }
        }

        return plan ?? pinOnly;
    }

    /// <summary>
    /// A tag-only image is pinned to its digest by <c>rewrite.pinDigest</c>, and always where a <c>signatures</c> rule
    /// applies (API.md section 6: the verified digest is the one the Pod gets).
    /// </summary>
    private static bool PinsTags(CompiledPolicy policy, ImageReference image, string ns, in RuleContext context) =>
        policy.RewriteEnabled && policy.PinDigest || policy.VerifiesSignatures && !Exempted(policy, image, ns, context.Now);

    private static bool Exempted(CompiledPolicy policy, ImageReference image, string ns, DateTimeOffset now)
    {
        foreach (var exemption in policy.Exemptions)
        {
            if (exemption.Covers(image, ns) && now < exemption.Expires)
            {
                return true;
            }
        }

        return false;
    }

    private static Plan? PinOnly(CompiledPolicy policy, ImageReference image, ImageSite site, in RuleContext context, List<string> unverified)
    {
        var pinned = Pin(image, site.Image, context, unverified);
        return ReferenceEquals(pinned, site.Image) ? null : new Plan(policy, pinned);
    }

    /// <summary><paramref name="written"/> with the digest the registry cache holds for it, or unchanged when unknown.</summary>
    private static string Pin(ImageReference reference, string written, in RuleContext context, List<string> unverified)
    {
        if (reference.Digest is not null)
        {
            return written;
        }

        var fact = context.Registry.Lookup(reference.Normalized);
        if (fact.State == RegistryFactState.Exists && fact.Digest is not null)
        {
            return written + "@" + fact.Digest;
        }

        if (fact.State == RegistryFactState.Unknown)
        {
            unverified.Add(reference.Normalized);
        }

        return written;
    }

    /// <summary>The first usable twin from the policy's sources: it parses, the same source calls it hardened, and it exists if the source must verify.</summary>
    private static string? Twin(CompiledPolicy policy, ImageReference image, in RuleContext context, List<string> unverified)
    {
        foreach (var source in policy.Sources)
        {
            foreach (var (from, to) in source.Mappings)
            {
                if (!from.IsMatch(image))
                {
                    continue;
                }

                var candidate = to.Expand(image);
                if (candidate is null || !ImageReferenceParser.TryParse(candidate, out var twin, out _) || !source.IsHardened(twin))
                {
                    continue;
                }

                if (source.VerifyExists)
                {
                    var fact = context.Registry.Lookup(twin.Normalized);
                    if (fact.State != RegistryFactState.Exists)
                    {
                        if (fact.State == RegistryFactState.Unknown)
                        {
                            unverified.Add(twin.Normalized);
                        }

                        continue;
                    }
                }

                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Why no twin was offered, when a twin was found but not confirmed: no answer yet, or the registry could not be
    /// asked or refused (a missing pull secret, an outage). A twin the registry says is missing is not named.
    /// </summary>
    private static string UnverifiedHint(CompiledPolicy policy, ImageReference image, List<string> unverified, in RuleContext context)
    {
        foreach (var source in policy.Sources)
        {
            foreach (var (from, to) in source.Mappings)
            {
                if (!from.IsMatch(image) || to.Expand(image) is not { } candidate || !ImageReferenceParser.TryParse(candidate, out var twin, out _))
                {
                    continue;
                }

                if (unverified.Contains(twin.Normalized))
                {
                    return $"; its hardened twin \"{candidate}\" could not be verified yet";
                }

                if (source.VerifyExists && context.Registry.Lookup(twin.Normalized).State == RegistryFactState.Unreachable)
                {
                    return $"; its hardened twin \"{candidate}\" could not be verified: its registry is unreachable or refused access";
                }
            }
        }

        return "";
    }

    private static Verdict Compose(List<ImageResult> results, List<string> warnings, List<ImageRewrite> rewrites, List<string> unverified, string ns)
    {
        StringBuilder? message = null;
        Dictionary<string, string>? audit = null;
        List<string>? denyingPolicies = null;
        foreach (var result in results)
        {
            foreach (var violation in result.Violations)
            {
                var line = $"{result.Site.Describe()}: image \"{result.Site.Image}\" {violation.Reason}";
                switch (violation.Mode)
                {
                    case PolicyMode.Enforce:
                        denyingPolicies ??= [];
                        if (!denyingPolicies.Contains(violation.PolicyId))
                        {
                            denyingPolicies.Add(violation.PolicyId);
                        }

                        break;
                    case PolicyMode.Warn:
                        warnings.Add($"{line} ({violation.PolicyId})");
                        break;
                    default:
                        var key = AuditKey(violation.PolicyId);
                        audit ??= new Dictionary<string, string>(StringComparer.Ordinal);
                        audit[key] = audit.TryGetValue(key, out var existing) ? existing + "; " + line : line;
                        break;
                }
            }
        }

        foreach (var policyId in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(denyingPolicies))
        {
            message ??= new StringBuilder();
            if (message.Length > 0)
            {
                message.Append('\n');
            }

            message.Append("images denied by ").Append(policyId).Append(':');
            var exceptionImages = new List<string>();
            foreach (var result in results)
            {
                foreach (var violation in result.Violations)
                {
                    if (violation.PolicyId == policyId && violation.Mode == PolicyMode.Enforce)
                    {
                        message.Append("\n- ").Append(result.Site.Describe()).Append(": image \"").Append(result.Site.Image).Append("\" ").Append(violation.Reason);
                        var pattern = result.Normalized is null ? null : result.Normalized.Split('@')[0];
                        if (pattern is not null && !exceptionImages.Contains(pattern))
                        {
                            exceptionImages.Add(pattern);
                        }
                    }
                }
            }

            if (exceptionImages.Count != 0)
            {
                message.Append("\nto request an exception, ask for an entry in spec.exceptions of ").Append(policyId)
                    .Append(": {images: [").Append(string.Join(", ", exceptionImages.Select(i => $"\"{i}\""))).Append("], namespaces: [\"")
                    .Append(ns).Append("\"], expires: <RFC 3339 time>, reason: <ticket>}");
            }
        }

        return new Verdict(denyingPolicies is null, true, message?.ToString(), results, warnings, audit ?? NoAudit, rewrites, unverified);
    }

    // Audit annotation keys must be qualified names of at most 63 characters.
    private static string AuditKey(string policyId)
    {
        var key = policyId.Replace('/', '.').ToLowerInvariant();
        return key.Length <= 63 ? key : key[..63];
    }
}
