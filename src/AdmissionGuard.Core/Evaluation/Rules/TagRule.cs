using AdmissionGuard.Images;

namespace AdmissionGuard.Evaluation.Rules;

/// <summary>Disallowed tags are globs over the tag alone; a reference with neither tag nor digest counts as <c>latest</c>.</summary>
internal sealed class TagRule(Policies.NameGlob[] disallowed, bool requireDigest) : IImageRule
{
    public string Name => RuleNames.Tags;

    public RuleResult Evaluate(ImageReference image, in RuleContext context)
    {
        var tag = image.Tag ?? (image.Digest is null ? "latest" : null);
        if (tag is not null)
        {
            foreach (var glob in disallowed)
            {
                if (glob.IsMatch(tag))
                {
                    return RuleResult.Fail($"has disallowed tag \"{tag}\"", "pin a version, e.g. \"{repository}:<version>\"");
                }
            }
        }

        if (requireDigest && image.Digest is null)
        {
            return RuleResult.Fail("has no digest (the policy requires image@sha256:...)", "pin a digest, e.g. \"{repository}@sha256:<digest>\"");
        }

        return RuleResult.Pass;
    }
}
