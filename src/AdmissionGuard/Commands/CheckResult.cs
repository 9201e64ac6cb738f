using AdmissionGuard.Evaluation;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Commands;

internal sealed record CheckResult(Manifest Manifest, string Namespace, Verdict Verdict, IReadOnlyList<ImageRewrite> Rewrites);
