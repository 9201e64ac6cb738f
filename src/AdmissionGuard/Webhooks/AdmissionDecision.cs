namespace AdmissionGuard.Webhooks;

/// <summary>Why an admission was answered as it was: the <c>decision</c> label of <c>admissionguard_admission_requests_total</c>.</summary>
internal enum AdmissionDecision
{
    Allowed,
    Denied,
    Warned,
    Audited,
    Mutated,

    /// <summary>Nothing to judge: DELETE, CONNECT, a subresource, an object whose spec did not change.</summary>
    Skipped,

    /// <summary>A kind the webhook does not judge.</summary>
    UnknownKind,

    /// <summary>Not a usable request: malformed, no object, an unknown operation, or not a review at all.</summary>
    Invalid,

    /// <summary>Not decided within the deadline.</summary>
    Timeout,

    /// <summary>Evaluation failed unexpectedly (logged).</summary>
    Error,
}
