using System.Diagnostics.CodeAnalysis;
using AdmissionGuard.Images;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;

namespace AdmissionGuard.Evaluation;

/// <summary>
/// Everything about hardened twins, in one place: which image is hardened, the twin a mapping yields and whether
/// it is usable (same source calls it hardened, it passes the policy's other rules, it exists where verified),
/// rewrite planning in policy-name order without chains, digest pinning, and the hint a denial gives.
/// </summary>
internal static class Hardening
{
    internal static bool? AnyHardened(List<CompiledPolicy> matching, ImageReference image)
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

    internal readonly record struct Plan(CompiledPolicy Policy, string To);

    /// <summary>
    /// What one policy found for an image: its usable twin, or (Reason set) the twin it found but does not offer
    /// because that twin breaks another of its rules. A policy's hint names only its own twin.
    /// </summary>
    internal sealed record TwinChoice(CompiledPolicy Policy, string Twin, string? Reason = null, string? Fix = null);

    /// <summary>
    /// The rewrite for one image: policies in name order, each policy's sources in written order, the
    /// first mapping that yields a usable twin wins. Never chains: an image that a source named by any
    /// policy matching the workload calls hardened has no twin, so a reinvoked /mutate leaves it alone.
    /// Also finds the replacement to suggest, and the first twin rejected for breaking its policy.
    /// </summary>
    internal static Plan? PlanRewrite(List<CompiledPolicy> matching, List<CompiledPolicy> policies, ImageReference image, ImageSite site, string ns, bool labelsUnknown, in RuleContext context, List<string> unverified, out string? replacement, out List<TwinChoice>? choices)
    {
        replacement = null;
        choices = null;
        Plan? plan = null;
        Plan? pinOnly = null;
        var hardened = AnyHardened(matching, image) == true;
        foreach (var policy in policies)
        {
            // A policy whose namespaceSelector cannot be checked fails closed in validation; it must not rewrite.
            if (labelsUnknown && !policy.NamespaceSelector.IsEmpty)
            {
                continue;
            }

            if (!policy.Selects(image) || hardened)
            {
                if (plan is null && PinsTags(policy, image, ns, context) && policy.Selects(image) && image.Digest is null)
                {
                    plan = PinOnly(policy, image, site, context, unverified);
                }

                continue;
            }

            var twin = Twin(policy, image, context, unverified, ref choices);
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
            (choices ??= []).Add(new TwinChoice(policy, twin));
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
    /// applies (the verified digest is the one the Pod gets).
    /// </summary>
    private static bool PinsTags(CompiledPolicy policy, ImageReference image, string ns, in RuleContext context) =>
        policy.RewriteEnabled && policy.PinDigest || policy.VerifiesSignatures && !Exempted(policy, image, ns, context.Now);

    internal static bool Exempted(CompiledPolicy policy, ImageReference image, string ns, DateTimeOffset now)
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

    internal static Plan? PinOnly(CompiledPolicy policy, ImageReference image, ImageSite site, in RuleContext context, List<string> unverified)
    {
        var pinned = Pin(image, site.Image, context, unverified);
        return ReferenceEquals(pinned, site.Image) ? null : new Plan(policy, pinned);
    }

    /// <summary><paramref name="written"/> with the digest the registry cache holds for it, or unchanged when unknown.</summary>
    internal static string Pin(ImageReference reference, string written, in RuleContext context, List<string> unverified)
    {
        if (reference.Digest is not null)
        {
            return written;
        }

        var fact = context.Registry.Lookup(reference);
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

    /// <summary>
    /// The first usable twin from the policy's sources: it parses, the same source calls it hardened, it passes the
    /// policy's other rules (the scan rule only where the twin has a scan), and it exists if the source must verify.
    /// </summary>
    internal static string? Twin(CompiledPolicy policy, ImageReference image, in RuleContext context, List<string> unverified, ref List<TwinChoice>? choices)
    {
        foreach (var source in policy.Sources)
        {
            foreach (var (from, to) in source.Mappings)
            {
                if (!TryMapTwin(source, from, to, image, out var candidate, out var twin))
                {
                    continue;
                }

                if (FailsOtherRules(policy, twin, context) is { } failure)
                {
                    if (choices?.Exists(c => ReferenceEquals(c.Policy, policy)) != true)
                    {
                        (choices ??= []).Add(new TwinChoice(policy, candidate, failure.Reason!, failure.Fix?.Replace("{repository}", twin.Repository, StringComparison.Ordinal)));
                    }

                    continue;
                }

                if (source.VerifyExists)
                {
                    var fact = context.Registry.Lookup(twin);
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

    /// <summary>The first failure of <paramref name="twin"/> under the policy's rules other than <c>hardened</c>; the scan rule counts only where the twin has a scan.</summary>
    internal static RuleResult? FailsOtherRules(CompiledPolicy policy, ImageReference twin, in RuleContext context)
    {
        if (!policy.Selects(twin))
        {
            return null;
        }

        foreach (var rule in policy.Rules)
        {
            if (rule.Name == RuleNames.Hardened || rule.Name == RuleNames.Scan && context.Scans.Find(twin, context.DigestOf(twin)) is null)
            {
                continue;
            }

            var result = rule.Evaluate(twin, context);
            if (result.Outcome == RuleOutcome.Fail)
            {
                return result;
            }
        }

        return null;
    }

    /// <summary>
    /// Why no twin was offered: it breaks another rule of the policy (and what to change), or it was found but not
    /// confirmed: no answer yet, or the registry could not be asked or refused (a missing pull secret, an outage).
    /// A twin the registry says is missing is not named.
    /// </summary>
    internal static string TwinHint(CompiledPolicy policy, ImageReference image, List<string> unverified, in RuleContext context, List<TwinChoice>? choices)
    {
        // The policy's own usable twin wins over a twin it rejected from an earlier mapping.
        if (choices?.Find(c => ReferenceEquals(c.Policy, policy) && c.Reason is null) is { } usable)
        {
            return MessageFormatter.UseTwin(usable.Twin);
        }

        if (choices?.Find(c => ReferenceEquals(c.Policy, policy)) is { } rejected)
        {
            return MessageFormatter.TwinFails(rejected.Twin, rejected.Reason!, rejected.Fix);
        }

        foreach (var source in policy.Sources)
        {
            foreach (var (from, to) in source.Mappings)
            {
                if (!TryMapTwin(source, from, to, image, out var candidate, out var twin))
                {
                    continue;
                }

                if (unverified.Contains(twin.Normalized))
                {
                    return $"; its hardened twin \"{candidate}\" could not be verified yet";
                }

                if (source.VerifyExists && context.Registry.Lookup(twin).State == RegistryFactState.Unreachable)
                {
                    return $"; its hardened twin \"{candidate}\" could not be verified: its registry is unreachable or refused access";
                }
            }
        }

        return "";
    }

    /// <summary>
    /// The twin one mapping of <paramref name="source"/> gives <paramref name="image"/>, as written
    /// (<paramref name="candidate"/>) and parsed: false when the mapping does not match, gives no twin (a digest only),
    /// does not parse, or gives an image the source itself does not call hardened. <see cref="Twin"/> and
    /// <see cref="TwinHint"/> both read mappings through this, so a hint never names an image that would not be offered.
    /// </summary>
    private static bool TryMapTwin(
        CompiledSource source, ImageGlob from, MappingTemplate to, ImageReference image, [NotNullWhen(true)] out string? candidate, [NotNullWhen(true)] out ImageReference? twin)
    {
        // Each step in its own statement (not `out var` inside `||`), so that mutation testing can rewrite the conditions
        // without losing definite assignment.
        candidate = from.IsMatch(image) ? to.Expand(image) : null;
        twin = candidate is null ? null : ParseOrNull(candidate);
        return twin is not null && source.IsHardened(twin);
    }

    private static ImageReference? ParseOrNull(string text) =>
        ImageReferenceParser.TryParse(text, out var reference, out _) ? reference : null;
}
