using AdmissionGuard.Admission;

namespace AdmissionGuard.Evaluation;

/// <param name="Kind">The object's kind (Pod, Deployment, CronJob...).</param>
/// <param name="NamespaceLabels">Null when the namespace's labels cannot be known: policies that select by them fail closed.</param>
public sealed record EvaluationInput(
    string Kind,
    WorkloadObject Object,
    string Namespace,
    IReadOnlyDictionary<string, string>? NamespaceLabels);
