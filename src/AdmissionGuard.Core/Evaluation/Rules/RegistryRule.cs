using AdmissionGuard.Images;

namespace AdmissionGuard.Evaluation.Rules;

internal sealed class RegistryRule(RegistryPrefix[] allowed) : IImageRule
{
    public string Name => RuleNames.Registries;

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
