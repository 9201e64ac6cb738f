using AdmissionGuard.Images;

namespace AdmissionGuard.Evaluation;

/// <summary>One rule of a policy, compiled. Implementations are immutable and allocation-free when they pass.</summary>
internal interface IImageRule
{
    /// <summary>The rule's name as written in the policy: <c>hardened</c>, <c>registries</c>, <c>tags</c>, <c>scan</c>.</summary>
    string Name { get; }

    RuleResult Evaluate(ImageReference image, in RuleContext context);
}
