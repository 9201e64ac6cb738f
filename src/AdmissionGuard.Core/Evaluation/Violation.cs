using AdmissionGuard.Policies;

namespace AdmissionGuard.Evaluation;

/// <summary>One failed rule of one policy for one image. <see cref="Reason"/> reads after the image: "is not hardened".</summary>
public sealed record Violation(string PolicyId, PolicyMode Mode, string Rule, string Reason);
