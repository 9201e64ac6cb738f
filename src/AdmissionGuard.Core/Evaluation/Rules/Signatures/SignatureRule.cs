using AdmissionGuard.Images;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Evaluation.Rules.Signatures;

/// <summary>
/// <c>signatures</c>: the digest that will run must carry a signature by one of the keys (when required) and each listed
/// attestation. Reads only what the signature cache already verified; fetching and verifying happen off the hot path.
/// </summary>
internal sealed class SignatureRule(bool required, SignatureRequirement requirement, MappingTemplate? repository, string[] attestations) : IImageRule
{
    public const string RuleName = RuleNames.Signatures;
    public const string NotCheckedYet = "signature could not be checked yet";
    public const string Unreachable = "signature could not be checked: its registry is unreachable or refused access";
    public const string NotEvaluatedOffline = "signatures were not evaluated offline (check --registry verifies them)";

    public string Name => RuleName;

    public SignatureRequirement Requirement => requirement;

    public RuleResult Evaluate(ImageReference image, in RuleContext context)
    {
        // Before the digest: offline, check assumes every tag exists without knowing its digest.
        if (context.Registry.Offline)
        {
            return RuleResult.Warn(NotEvaluatedOffline);
        }

        // The digest that will run: written in the reference (tag+digest is judged by its digest), else the tag's.
        var digest = context.DigestOf(image);
        if (digest is null)
        {
            return context.Registry.Lookup(image.Normalized).State switch
            {
                RegistryFactState.Unreachable => RuleResult.Fail(Unreachable),
                RegistryFactState.Missing => RuleResult.Fail(NotSigned(null)),
                _ => RuleResult.Fail(NotCheckedYet),
            };
        }

        var fact = context.Registry.Signatures(new SignatureQuery(SignatureRepository(image), image.Repository, digest, requirement));
        switch (fact.State)
        {
            case SignatureState.Offline:
                return RuleResult.Warn(NotEvaluatedOffline);
            case SignatureState.Unknown:
                return RuleResult.Fail(NotCheckedYet);
            case SignatureState.Unreachable:
                return RuleResult.Fail(Unreachable);
            case SignatureState.Invalid:
                return RuleResult.Fail(NotSigned(fact.Detail));
            case SignatureState.Unsigned when required:
                return RuleResult.Fail(NotSigned(fact.Detail));
        }

        foreach (var predicateType in attestations)
        {
            if (!fact.Attestations.Contains(predicateType))
            {
                return RuleResult.Fail($"has no signed attestation {predicateType}");
            }
        }

        return RuleResult.Pass;
    }

    /// <summary>Where signatures live: the <c>repository</c> template filled from the image, else the image's own repository.</summary>
    public string SignatureRepository(ImageReference image) =>
        repository is not null && ImageReferenceParser.TryParse(repository.ExpandAlways(image), out var target, out _)
            ? target.Repository
            : image.Repository;

    // A limit that was hit (10,000 referrers, a bundle over the size limit) is said; a wrong key or a tampered payload is not
    // told apart, as a cosign signature names no key.
    private string NotSigned(string? detail) =>
        detail is null ? $"is not signed by any of {requirement.KeyList}" : $"is not signed by any of {requirement.KeyList} ({detail})";
}
