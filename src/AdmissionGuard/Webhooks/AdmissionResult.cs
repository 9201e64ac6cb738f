using AdmissionGuard.Admission;

namespace AdmissionGuard.Webhooks;

/// <summary>
/// What an admission endpoint answers, as a closed set of cases: <see cref="Allowed"/>, <see cref="Denied"/>,
/// <see cref="Patched"/> (each an AdmissionReview, built only by <see cref="ToReview"/>), or <see cref="Rejected"/>, a
/// plain-text 4xx for a body that is not a review at all. <see cref="Kind"/>, <see cref="Operation"/> and
/// <see cref="Decision"/> label the request metric.
/// </summary>
internal abstract record AdmissionResult(string Kind, string Operation, AdmissionDecision Decision)
{
    /// <summary>The HTTP status of the answer: 200 for every review.</summary>
    public virtual int StatusCode => StatusCodes.Status200OK;

    /// <summary>The <c>decision</c> label of the request metric.</summary>
    public string DecisionLabel => Decision switch
    {
        AdmissionDecision.Allowed => "allowed",
        AdmissionDecision.Denied => "denied",
        AdmissionDecision.Warned => "warned",
        AdmissionDecision.Audited => "audited",
        AdmissionDecision.Mutated => "mutated",
        AdmissionDecision.Skipped => "skipped",
        AdmissionDecision.UnknownKind => "unknown-kind",
        AdmissionDecision.Invalid => "invalid",
        AdmissionDecision.Timeout => "timeout",
        _ => "error",
    };

    /// <summary>The AdmissionReview this result answers with; null for <see cref="Rejected"/>.</summary>
    public abstract AdmissionReview? ToReview();

    private static AdmissionReview Review(AdmissionResponse response) =>
        new() { ApiVersion = AdmissionReview.V1, Kind = AdmissionReview.KindName, Response = response };

    /// <summary>The request is admitted unchanged, possibly with warnings and audit annotations.</summary>
    public sealed record Allowed(
        string Uid, string Kind, string Operation, AdmissionDecision Decision, AdmissionWarnings Warnings = default, IReadOnlyDictionary<string, string>? AuditAnnotations = null)
        : AdmissionResult(Kind, Operation, Decision)
    {
        public override AdmissionReview ToReview() => Review(new AdmissionResponse
        {
            Uid = Uid,
            Allowed = true,
            Warnings = Warnings.ToWire(),
            AuditAnnotations = AuditAnnotations is { Count: > 0 } annotations ? new Dictionary<string, string>(annotations) : null,
        });
    }

    /// <summary>
    /// The request is refused with a status: 403 Forbidden for a policy's verdict or a request that cannot be judged,
    /// 400 Invalid for a policy object that does not compile.
    /// </summary>
    public sealed record Denied(
        string Uid, string Kind, string Operation, AdmissionDecision Decision, string? Message, int Code = StatusCodes.Status403Forbidden, string Reason = "Forbidden",
        AdmissionWarnings Warnings = default, IReadOnlyDictionary<string, string>? AuditAnnotations = null)
        : AdmissionResult(Kind, Operation, Decision)
    {
        /// <summary>The same request admitted, for <c>/mutate</c>, which never denies: <c>/validate</c> gives the reason.</summary>
        public Allowed AsAllowed() => new(Uid, Kind, Operation, Decision, Warnings, AuditAnnotations);

        public override AdmissionReview ToReview() => Review(new AdmissionResponse
        {
            Uid = Uid,
            Allowed = false,
            Status = new AdmissionStatus { Code = Code, Reason = Reason, Message = Message },
            Warnings = Warnings.ToWire(),
            AuditAnnotations = AuditAnnotations is { Count: > 0 } annotations ? new Dictionary<string, string>(annotations) : null,
        });
    }

    /// <summary>The request is admitted with a JSON Patch (the mutating webhook's rewrites).</summary>
    public sealed record Patched(string Uid, string Kind, string Operation, byte[] JsonPatch)
        : AdmissionResult(Kind, Operation, AdmissionDecision.Mutated)
    {
        public override AdmissionReview ToReview() => Review(new AdmissionResponse
        {
            Uid = Uid,
            Allowed = true,
            PatchType = "JSONPatch",
            Patch = Convert.ToBase64String(JsonPatch),
        });
    }

    /// <summary>Not an AdmissionReview (wrong content type, too large, empty, malformed without a uid): a plain-text 4xx.</summary>
    public sealed record Rejected(int Status, string Error) : AdmissionResult("?", "?", AdmissionDecision.Invalid)
    {
        public override int StatusCode => Status;

        public override AdmissionReview? ToReview() => null;
    }
}
