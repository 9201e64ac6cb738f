namespace AdmissionGuard.Policies;

/// <summary>A policy that did not compile: it enforces nothing, and the admissions it would have matched are told so.</summary>
/// <param name="Match">Its compiled <c>spec.match</c>, or null when that part is itself invalid (then it warns wherever it could apply).</param>
internal sealed record InvalidPolicy(string Id, string? Namespace, CompiledMatch? Match, string FirstError);
