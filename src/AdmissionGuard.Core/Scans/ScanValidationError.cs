namespace AdmissionGuard.Scans;

/// <summary>Why one ImageScan object was left out of the index; <see cref="Message"/> starts with the field path.</summary>
public sealed record ScanValidationError(string ObjectName, string Message)
{
    public override string ToString() => $"ImageScan/{ObjectName}: {Message}";
}
