namespace AdmissionGuard.Signatures;

/// <summary>
/// The outcome of verifying one digest under one rule's keys: the image signature's state, the key that
/// verified it, and the predicate types of the attestations that verified and name the digest.
/// <see cref="Detail"/> is what the denial says (a limit that was hit); <see cref="Diagnostics"/> every problem, for logs and tests.
/// </summary>
public sealed record SignatureFact(SignatureState State, string? KeyName, IReadOnlySet<string> Attestations, string? Detail, string? Diagnostics = null)
{
    private static readonly HashSet<string> None = [];

    public static readonly SignatureFact Unknown = new(SignatureState.Unknown, null, None, null);

    public static readonly SignatureFact Offline = new(SignatureState.Offline, null, None, null);

    public static SignatureFact Unreachable(string detail) => new(SignatureState.Unreachable, null, None, detail);
}
