using System.Text;
using AdmissionGuard.Admission;
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

    // Shared and never added to: the policies that newly match a Pod UPDATE whose labels did not change.
    private static readonly List<CompiledPolicy> NoPolicies = [];
    private static readonly Dictionary<string, string> NoAudit = new(StringComparer.Ordinal);

    public Verdict Evaluate(PolicySnapshot snapshot, EvaluationInput input, EvaluationPurpose purpose)
    {
        if (!PodSpecLocator.TryLocate(input.Kind, input.Object, out var spec, out var podLabels, out var pointer))
        {
            return Verdict.NotEvaluated;
        }

        var isTemplate = input.Kind != "Pod";

        // A workload UPDATE that leaves the pod template alone (scale, finalizers, deletion, status, the workload's
        // own labels) creates no pod: judging it again would only block housekeeping on a workload gone stale.
        if (isTemplate && input.OldObject is { } oldWorkload && UpdateScope.TemplateUnchanged(input.Kind, input.Object, oldWorkload))
        {
            return Verdict.NotEvaluated;
        }

        var matching = MatchingPolicies(snapshot, input.Namespace, input.NamespaceLabels, podLabels, out var labelsUnknown);
        var invalid = InvalidPolicyWarnings(snapshot, input, podLabels);
        if (matching.Count == 0)
        {
            return invalid is null ? Verdict.AllowedEmpty : Verdict.AllowedEmpty with { Warnings = invalid };
        }

        var context = new RuleContext(scans, registry, time.GetUtcNow());
        var sites = PodSpecLocator.Sites(spec, pointer);
        var results = new List<ImageResult>(sites.Count);
        var warnings = invalid ?? new List<string>();
        var rewrites = new List<ImageRewrite>();
        var unverified = new List<string>();

        var running = RunningImages(input);
        var newlyMatching = running is null ? null : NewlyMatching(snapshot, input, matching);
        foreach (var site in sites)
        {
            // A Pod UPDATE can change only images and metadata. An image the Pod already runs was judged when
            // it arrived under the policies that matched it then; judging it again under those would block
            // unrelated updates (even removing a finalizer), and rewriting it would restart a running container.
            // Policies that match only since this update (its labels changed) judge it now.
            var policies = matching;
            var wasRunning = running is not null && running.Contains(site.Image);
            if (wasRunning)
            {
                if (purpose == EvaluationPurpose.Mutate || newlyMatching!.Count == 0)
                {
                    continue;
                }

                policies = newlyMatching;
            }

            if (!ImageReferenceParser.TryParse(site.Image, out var image, out var parseError))
            {
                var parseViolations = new List<Violation>();
                if (purpose == EvaluationPurpose.Validate)
                {
                    foreach (var policy in policies)
                    {
                        parseViolations.Add(new Violation(policy.Id, policy.Mode, RuleNames.Reference, MessageFormatter.CannotBeParsed(parseError)));
                    }
                }

                results.Add(new ImageResult(site, null, parseError, null, null, parseViolations, null, null, []));
                continue;
            }

            var plan = Hardening.PlanRewrite(matching, policies, image, site, input.Namespace, labelsUnknown, context, unverified, out var replacement, out var choices);
            if (wasRunning)
            {
                plan = null;
            }

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
                warnings.Add(MessageFormatter.WillBeReplaced(site, plan.Value.To));
            }

            // Most images pass: their lists stay null and the result gets shared empties.
            List<Violation>? violations = null;
            List<string>? exemptions = null;
            foreach (var policy in policies)
            {
                if (labelsUnknown && !policy.NamespaceSelector.IsEmpty)
                {
                    (violations ??= []).Add(new Violation(policy.Id, policy.Mode, RuleNames.NamespaceSelector, MessageFormatter.NamespaceLabelsUnknown(input.Namespace)));
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
                        if (rule.Name == RuleNames.Hardened)
                        {
                            reason += Hardening.TwinHint(policy, image, unverified, context, choices);
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
                        warnings.Add(MessageFormatter.Violation(site, result.Reason!, policy.Id));
                    }
                }
            }

            var record = scans.Find(judged, context.DigestOf(judged));
            results.Add(new ImageResult(site, image.Normalized, null, Hardening.AnyHardened(policies, judged), record?.Grade, (IReadOnlyList<Violation>?)violations ?? NoViolations, replacement, null, (IReadOnlyList<string>?)exemptions ?? NoExemptions));
        }

        return Compose(results, warnings, rewrites, unverified, input.Namespace);
    }

    private static Running? RunningImages(EvaluationInput input) =>
        input.Kind != "Pod" || input.OldObject?.Spec is not { } old ? null : new Running(old);

    /// <summary>The images a Pod runs before its UPDATE: a few are compared in place, many through a set.</summary>
    private sealed class Running(WorkloadSpec old)
    {
        private const int Few = 16;

        private readonly HashSet<string>? many = PodSpecLocator.SiteCount(old) <= Few
            ? null
            : new HashSet<string>(PodSpecLocator.Sites(old, "/spec").Select(s => s.Image), StringComparer.Ordinal);

        public bool Contains(string image) => many?.Contains(image) ?? PodSpecLocator.HasImage(old, image);
    }

    private static List<CompiledPolicy> MatchingPolicies(PolicySnapshot snapshot, string ns, IReadOnlyDictionary<string, string>? namespaceLabels, IReadOnlyDictionary<string, string>? podLabels, out bool labelsUnknown)
    {
        labelsUnknown = namespaceLabels is null;
        var matching = new List<CompiledPolicy>();
        foreach (var policy in snapshot.CandidatesFor(ns))
        {
            if (policy.Match.MatchesLabels(namespaceLabels, podLabels))
            {
                matching.Add(policy);
            }
        }

        return matching;
    }

    /// <summary>For a Pod UPDATE: the policies that match the Pod now but did not match it as it was.</summary>
    private static List<CompiledPolicy> NewlyMatching(PolicySnapshot snapshot, EvaluationInput input, List<CompiledPolicy> matching)
    {
        // Matching reads only the namespace and the Pod's labels: with the same labels nothing can newly match.
        if (UpdateScope.SameLabels(input.Object.Metadata?.Labels, input.OldObject!.Metadata?.Labels))
        {
            return NoPolicies;
        }

        var before = MatchingPolicies(snapshot, input.Namespace, input.NamespaceLabels, input.OldObject!.Metadata?.Labels, out _);
        var newly = new List<CompiledPolicy>();
        foreach (var policy in matching)
        {
            if (!before.Contains(policy))
            {
                newly.Add(policy);
            }
        }

        return newly;
    }

    /// <summary>
    /// One warning for each policy that never compiled and would have matched this admission: such a policy
    /// enforces nothing, and saying so on every admission it concerns is how it does not fail open silently.
    /// </summary>
    private static List<string>? InvalidPolicyWarnings(PolicySnapshot snapshot, EvaluationInput input, IReadOnlyDictionary<string, string>? podLabels)
    {
        List<string>? warnings = null;
        foreach (var policy in snapshot.Invalid)
        {
            // Without a compiled match the warning is given wherever the policy could apply (its namespace, or all).
            if (policy.Namespace is not null && !string.Equals(policy.Namespace, input.Namespace, StringComparison.Ordinal))
            {
                continue;
            }

            if (policy.Match is { } match && !match.Matches(input.Namespace, input.NamespaceLabels, podLabels))
            {
                continue;
            }

            (warnings ??= []).Add(MessageFormatter.InvalidPolicy(policy.Id, policy.FirstError));
        }

        return warnings;
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

    private static Verdict Compose(List<ImageResult> results, List<string> warnings, List<ImageRewrite> rewrites, List<string> unverified, string ns)
    {
        StringBuilder? message = null;
        Dictionary<string, string>? audit = null;
        List<string>? denyingPolicies = null;
        foreach (var result in results)
        {
            foreach (var violation in result.Violations)
            {
                var line = MessageFormatter.Violation(result.Site, violation.Reason);
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
                        warnings.Add(MessageFormatter.Violation(result.Site, violation));
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
            var lines = new List<(ImageSite, string)>();
            var exceptionImages = new List<string>();
            foreach (var result in results)
            {
                foreach (var violation in result.Violations)
                {
                    if (violation.PolicyId == policyId && violation.Mode == PolicyMode.Enforce)
                    {
                        lines.Add((result.Site, violation.Reason));
                        var pattern = result.Normalized is null ? null : result.Normalized.Split('@')[0];
                        if (pattern is not null && !exceptionImages.Contains(pattern))
                        {
                            exceptionImages.Add(pattern);
                        }
                    }
                }
            }

            MessageFormatter.AppendDenial(message, policyId, lines, exceptionImages, ns);
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
