namespace AdmissionGuard.Policies;

/// <summary>Why an object could not be compiled, with the field path (<c>spec.rules.scan.minGrade</c>).</summary>
public sealed record PolicyError(string ObjectKind, string? ObjectNamespace, string ObjectName, string Field, string Message)
{
    public string ObjectId => ObjectNamespace is null ? $"{ObjectKind}/{ObjectName}" : $"{ObjectKind}/{ObjectNamespace}/{ObjectName}";

    public override string ToString() => $"{ObjectId}: {Field}: {Message}";
}
