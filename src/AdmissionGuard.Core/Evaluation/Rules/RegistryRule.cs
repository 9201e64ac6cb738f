using AdmissionGuard.Images;

namespace AdmissionGuard.Evaluation.Rules;

internal sealed class RegistryRule(RegistryPrefix[] allowed) : IImageRule
{
    public string Name => RuleNames.Registries;

    /// <summary>Compiles <c>spec.rules.registries</c>; null when it lists no <c>allowed</c> (then it checks nothing).</summary>
    public static RegistryRule? Compile(Policies.RegistryRuleSpec spec, List<(string, string)> errors)
    {
        if (spec.Allowed is not { } allowed)
        {
            return null;
        }

        var prefixes = new List<RegistryPrefix>();
        for (var i = 0; i < allowed.Count; i++)
        {
            if (RegistryPrefix.TryCompile(allowed[i], out var prefix, out var error))
            {
                prefixes.Add(prefix);
            }
            else
            {
                errors.Add(($"spec.rules.registries.allowed[{i}]", error));
            }
        }

        if (allowed.Count == 0)
        {
            errors.Add(("spec.rules.registries.allowed", "must not be empty (an empty allow-list would deny every image; remove the rule to allow all)"));
        }

        return new RegistryRule([.. prefixes]);
    }

    public RuleResult Evaluate(ImageReference image, in RuleContext context)
    {
        foreach (var prefix in allowed)
        {
            if (prefix.IsMatch(image))
            {
                return RuleResult.Pass;
            }
        }

        return RuleResult.Fail($"is from a registry that is not allowed (\"{image.Repository}\"; allowed: {string.Join(", ", allowed.Select(a => a.Entry))})", "use an image from an allowed registry");
    }
}
