namespace AdmissionGuard.Signatures;

/// <summary>
/// Which signatures to look for: those of <paramref name="Digest"/>, kept in <paramref name="Repository"/> (normalized
/// <c>registry/path</c>), judged under <paramref name="Requirement"/>.
/// </summary>
public readonly record struct SignatureQuery(string Repository, string Digest, SignatureRequirement Requirement)
{
    public string Key => Repository + "@" + Digest + "#" + Requirement.Id;
}
