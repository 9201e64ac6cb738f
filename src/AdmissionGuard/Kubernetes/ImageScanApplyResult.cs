namespace AdmissionGuard.Kubernetes;

/// <summary>Either what applying the ImageScan did, or why it could not be applied (a message for the user).</summary>
internal sealed record ImageScanApplyResult(ApplyOutcome? Outcome, string? Error)
{
    public static ImageScanApplyResult Done(ApplyOutcome outcome) => new(outcome, null);

    public static ImageScanApplyResult Fail(string error) => new(null, error);
}
