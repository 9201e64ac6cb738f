using AdmissionGuard.Admission;

namespace AdmissionGuard.Evaluation;

/// <param name="Kind">The object's kind (Pod, Deployment, CronJob...).</param>
/// <param name="NamespaceLabels">Null when the namespace's labels cannot be known: policies that select by them fail closed.</param>
/// <param name="JudgeRewritten">
/// Judge a Pod image that a rewrite will replace as its replacement, as templates always are (<c>check</c>
/// assumes the mutating webhook runs; the webhook's own /validate never does).
/// </param>
/// <param name="OldObject">
/// For a Pod UPDATE, the Pod as it was: an image it already had is neither judged nor rewritten again.
/// </param>
public sealed record EvaluationInput(
    string Kind,
    WorkloadObject Object,
    string Namespace,
    IReadOnlyDictionary<string, string>? NamespaceLabels,
    bool JudgeRewritten = false,
    WorkloadObject? OldObject = null);
