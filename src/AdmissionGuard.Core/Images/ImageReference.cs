namespace AdmissionGuard.Images;

/// <summary>
/// A parsed and normalized container image reference (Docker's normalization: <c>nginx</c> is
/// <c>docker.io/library/nginx</c>). Instances come only from <see cref="ImageReferenceParser"/>.
/// </summary>
public sealed class ImageReference
{
    public const string DockerHub = "docker.io";

    /// <param name="written">The text parsed; when it is already the normalized form (as most references in a cluster
    /// are), <see cref="Normalized"/> is that same string rather than a copy.</param>
    internal ImageReference(string registry, string path, string? tag, string? digest, string written)
    {
        Written = written;
        Registry = registry;
        Path = path;
        Tag = tag;
        Digest = digest;
        Repository = registry + "/" + path;
        var slash = path.LastIndexOf('/');
        Name = slash < 0 ? path : path[(slash + 1)..];
        Normalized = Spells(written, Repository, tag, digest)
            ? written
            : string.Concat(Repository, tag is null ? "" : ":", tag, digest is null ? "" : "@", digest);
    }

    /// <summary>Whether <paramref name="written"/> is exactly <c>repository[:tag][@digest]</c>.</summary>
    private static bool Spells(string written, string repository, string? tag, string? digest)
    {
        var rest = written.AsSpan();
        if (!rest.StartsWith(repository, StringComparison.Ordinal))
        {
            return false;
        }

        rest = rest[repository.Length..];
        return Part(ref rest, ':', tag) && Part(ref rest, '@', digest) && rest.IsEmpty;

        static bool Part(ref ReadOnlySpan<char> rest, char separator, string? value)
        {
            if (value is null)
            {
                return true;
            }

            if (rest.Length <= value.Length || rest[0] != separator || !rest[1..].StartsWith(value, StringComparison.Ordinal))
            {
                return false;
            }

            rest = rest[(value.Length + 1)..];
            return true;
        }
    }

    /// <summary>The text this reference was parsed from.</summary>
    internal string Written { get; }

    /// <summary>Lower-case <c>host[:port]</c>; every Docker Hub alias becomes <c>docker.io</c>.</summary>
    public string Registry { get; }

    /// <summary>Path without the registry, e.g. <c>library/nginx</c>.</summary>
    public string Path { get; }

    /// <summary>The tag as written, or null when none was written.</summary>
    public string? Tag { get; }

    /// <summary><c>algorithm:hex</c> as written, or null.</summary>
    public string? Digest { get; }

    /// <summary><c>registry/path</c>.</summary>
    public string Repository { get; }

    /// <summary>The last path segment.</summary>
    public string Name { get; }

    /// <summary>The tag, or <c>latest</c> when none is written. Callers must treat a digest-only reference themselves: it has no tag.</summary>
    public string TagOrLatest => Tag ?? "latest";

    /// <summary>True when neither a tag nor a digest was written (Docker pulls <c>latest</c>).</summary>
    public bool IsImplicitLatest => Tag is null && Digest is null;

    /// <summary><c>registry/path[:tag][@digest]</c>.</summary>
    public string Normalized { get; }

    /// <summary>
    /// <see cref="Normalized"/> with <c>:latest</c> written out when neither tag nor digest is: the key under which
    /// tag-keyed facts (scans recorded for a reference) are looked up, so <c>nginx</c> and <c>nginx:latest</c> agree.
    /// </summary>
    public string NormalizedWithTag => IsImplicitLatest ? _withTag ??= Normalized + ":latest" : Normalized;

    private string? _withTag;

    public override string ToString() => Normalized;
}
