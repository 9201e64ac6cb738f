using AdmissionGuard.Images;

namespace AdmissionGuard.Evaluation.Rules;

/// <summary>Disallowed tags are globs over the tag alone; a reference with neither tag nor digest counts as <c>latest</c>.</summary>
internal sealed class TagRule(Policies.NameGlob[] disallowed, bool requireDigest) : IImageRule
{
    public string Name => RuleNames.Tags;

    /// <summary>Compiles <c>spec.rules.tags</c>: each disallowed entry is a glob over the tag alone.</summary>
    public static TagRule Compile(Policies.TagRuleSpec spec, List<(string, string)> errors)
    {
        var disallowed = new List<Policies.NameGlob>();
        var list = spec.Disallowed ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(list[i]) || list[i].Contains('/', StringComparison.Ordinal) || list[i].Contains(':', StringComparison.Ordinal))
            {
                errors.Add(($"spec.rules.tags.disallowed[{i}]", $"\"{list[i]}\" is not a tag glob"));
            }
            else
            {
                disallowed.Add(new Policies.NameGlob(list[i]));
            }
        }

        return new TagRule([.. disallowed], spec.RequireDigest ?? false);
    }

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
