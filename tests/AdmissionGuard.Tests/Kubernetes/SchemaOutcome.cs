namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>What admitting a write through a CRD schema found: the unknown fields it pruned, and the field errors (none: stored).</summary>
internal sealed record SchemaOutcome(IReadOnlyList<string> Pruned, IReadOnlyList<FieldError> Errors)
{
    public bool Valid => Errors.Count == 0;
}
