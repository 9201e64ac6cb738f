namespace AdmissionGuard.Registry;

/// <summary>
/// The registry credentials one workload pulls with: the dockerconfigjson pull secrets it names (or its service
/// account names), on top of the configured docker config. Facts are cached per credential, so what one
/// namespace's secret can see never decides for a workload that cannot pull it.
/// </summary>
internal sealed class PullScope
{
    /// <summary>No pull secrets: the configured docker config, or anonymous. Shares the plain cache entries.</summary>
    public static readonly PullScope Default = new([], RegistryCredentials.None);

    private readonly IReadOnlyList<RegistryCredentials> _secrets;
    private readonly RegistryCredentials _configured;

    /// <param name="secrets">The workload's pull secrets, in the order it names them.</param>
    /// <param name="configured">The docker config of <c>--docker-config</c>, which the default queries use.</param>
    public PullScope(IReadOnlyList<RegistryCredentials> secrets, RegistryCredentials configured)
    {
        _secrets = secrets;
        _configured = configured;
    }

    public bool IsDefault => _secrets.Count == 0;

    /// <summary>
    /// The lookups whose answers decide whether the kubelet could pull <paramref name="normalizedReference"/>, the way
    /// it pulls: with every matching pull secret in turn, and anonymously only when none matches. The configured
    /// docker config stands for the node's own credentials and is asked too when it has an entry.
    /// </summary>
    public void AddQueries(string normalizedReference, List<RegistryQuery> into)
    {
        if (IsDefault || !ManifestReference.TryParse(normalizedReference, out var parsed))
        {
            into.Add(new RegistryQuery(normalizedReference, null));
            return;
        }

        AddQueries(normalizedReference, parsed.Registry, parsed.Repository, into);
    }

    /// <summary><see cref="AddQueries(string, List{RegistryQuery})"/> for an image the engine already parsed.</summary>
    public void AddQueries(Images.ImageReference image, List<RegistryQuery> into)
    {
        if (IsDefault)
        {
            into.Add(new RegistryQuery(image.Normalized, null));
            return;
        }

        AddQueries(image.Normalized, image.Registry, image.Path, into);
    }

    /// <param name="registry">The host of <paramref name="normalizedReference"/>.</param>
    /// <param name="path">Its repository path without the host.</param>
    public void AddQueries(string normalizedReference, string registry, string path, List<RegistryQuery> into)
    {
        if (IsDefault)
        {
            into.Add(new RegistryQuery(normalizedReference, null));
            return;
        }

        var first = into.Count;
        var matches = new List<RegistryCredential>();
        foreach (var secret in _secrets)
        {
            secret.AddMatches(registry, path, matches);
        }

        foreach (var credential in matches)
        {
            into.Add(new RegistryQuery(normalizedReference, credential));
        }

        if (into.Count == first || _configured.Find(registry, path) is not null)
        {
            into.Add(new RegistryQuery(normalizedReference, null));
        }
    }
}

/// <summary>One registry lookup: a normalized reference, asked with a pull secret's credential or (null) the default.</summary>
internal readonly record struct RegistryQuery(string Reference, RegistryCredential? Credential)
{
    /// <summary>The cache key. A space cannot occur in a reference, so the two parts cannot run together.</summary>
    public string Key => Credential is null ? Reference : string.Concat(Reference, " ", Credential.Id);
}
