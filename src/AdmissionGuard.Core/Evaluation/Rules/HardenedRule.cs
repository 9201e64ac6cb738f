using AdmissionGuard.Images;
using AdmissionGuard.Policies;

namespace AdmissionGuard.Evaluation.Rules;

internal sealed class HardenedRule(CompiledSource[] sources) : IImageRule
{
    public string Name => RuleNames.Hardened;

    public RuleResult Evaluate(ImageReference image, in RuleContext context)
    {
        foreach (var source in sources)
        {
            if (source.IsHardened(image))
            {
                return RuleResult.Pass;
            }
        }

        return RuleResult.Fail("is not hardened");
    }
}
