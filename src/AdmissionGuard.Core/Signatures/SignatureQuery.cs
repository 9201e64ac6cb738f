namespace AdmissionGuard.Signatures;

/// <summary>
/// Which signatures to look for: those of <paramref name="Digest"/>, kept in <paramref name="Repository"/> (normalized
/// <c>registry/path</c>), judged under <paramref name="Requirement"/>. <paramref name="ImageRepository"/> holds the
/// manifest itself, which a message signature signs.
/// </summary>
public readonly record struct SignatureQuery(string Repository, string ImageRepository, string Digest, SignatureRequirement Requirement)
{
    public string Key => Repository + "@" + Digest + " " + ImageRepository + "#" + Requirement.Id;
}
