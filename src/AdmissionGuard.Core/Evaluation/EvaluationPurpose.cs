namespace AdmissionGuard.Evaluation;

public enum EvaluationPurpose
{
    /// <summary>Judge the object: deny, warn, audit. Never rewrites.</summary>
    Validate,
    /// <summary>Plan rewrites for the object. Never denies.</summary>
    Mutate,
}
