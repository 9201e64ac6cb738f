using AdmissionGuard.Admission;
using AdmissionGuard.Evaluation;

namespace AdmissionGuard.Adoption;

/// <summary>One workload (a running Pod, or a manifest) as the engine judged it: the input of <see cref="AdoptionAggregator"/>.</summary>
/// <param name="Object">The object itself: every image site counts, also those no policy judged.</param>
/// <param name="Verdict">The engine's <see cref="EvaluationPurpose.Validate"/> verdict.</param>
/// <param name="Rewrites">
/// What <see cref="EvaluationPurpose.Mutate"/> would rewrite, for a workload that has not been admitted yet (a manifest);
/// null or empty for a running Pod, which runs what it runs.
/// </param>
public sealed record JudgedWorkload(
    string Namespace,
    string Kind,
    string Name,
    WorkloadObject Object,
    Verdict Verdict,
    IReadOnlyList<ImageRewrite>? Rewrites = null);
