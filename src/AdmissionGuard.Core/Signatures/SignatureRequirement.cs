namespace AdmissionGuard.Signatures;

/// <summary>
/// The compiled trust of one <c>signatures</c> rule: its keys and transparency-log demand. Fetching and verifying
/// happen outside the engine, keyed by <see cref="Id"/>; the engine only reads the outcome.
/// </summary>
public sealed class SignatureRequirement
{
    internal SignatureRequirement(IReadOnlyList<TrustedKey> keys, bool requireTransparencyLog)
    {
        Keys = keys;
        RequireTransparencyLog = requireTransparencyLog;
        KeyList = "[" + string.Join(", ", keys.Select(k => k.Name)) + "]";
        Id = string.Join(",", keys.Select(k => k.Key is not null ? k.Name + "=" + k.Key.Fingerprint : k.Name + "=secret:" + k.Secret))
            + (requireTransparencyLog ? "|tlog" : "");
    }

    public IReadOnlyList<TrustedKey> Keys { get; }

    public bool RequireTransparencyLog { get; }

    /// <summary>The key names as denial reasons show them: <c>[k1, k2]</c>.</summary>
    public string KeyList { get; }

    /// <summary>Identifies the key set (names and fingerprints or Secret references) in cache keys.</summary>
    public string Id { get; }

    /// <summary>The Secrets this requirement reads.</summary>
    public IEnumerable<SecretKeyReference> Secrets => Keys.Where(k => k.Secret is not null).Select(k => k.Secret!);
}
