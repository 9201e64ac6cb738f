namespace AdmissionGuard.Telemetry;

/// <summary>
/// One line of stdout per violating image and policy (API.md section 5). Every field is always written, null
/// when it does not apply, so a consumer (jq, a log pipeline) sees one fixed shape.
/// </summary>
internal sealed record DecisionRecord(
    string Ts,
    string Webhook,
    string Decision,
    string Namespace,
    string Kind,
    string Name,
    string Policy,
    string Rule,
    string Mode,
    string Container,
    string List,
    string Image,
    string? Twin,
    string? Grade,
    string Reason,
    string Uid,
    bool DryRun);
