using System.Text;
using System.Text.Json;
using AdmissionGuard.Admission;
using AdmissionGuard.Registry;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// The cluster's image pull secrets and service accounts, watched (<c>--workload-pull-secrets</c>), so that a
/// twin is verified with the credentials its workload will pull with. Only Secrets of the two docker config
/// types are listed (a field selector on <c>type</c>), and only their parsed credentials are kept.
/// </summary>
/// <remarks>
/// Which secrets count mirrors the API server and kubelet: a Pod's <c>imagePullSecrets</c> (the ServiceAccount
/// admission plugin has already copied its service account's secrets into a Pod that named none); a pod template's
/// own secrets, else those of its service account (<c>default</c> when unnamed), which that plugin will copy into
/// its Pods. A named secret that does not exist, or is not a docker config, is skipped, as the kubelet skips it.
/// </remarks>
internal sealed class ClusterPullSecrets : IPullScopes
{
    private readonly ResourceWatcher<RegistryCredentials> dockerConfigJson;
    private readonly ResourceWatcher<RegistryCredentials> dockerCfg;
    private readonly ResourceWatcher<string[]> serviceAccounts;
    private readonly RegistryCredentials configured;

    public ClusterPullSecrets(KubeApi api, RegistryCredentials configured, TimeProvider time, ILogger logger, WatcherOptions watch)
    {
        this.configured = configured;
        dockerConfigJson = new(api, ResourcePath.Secrets, s => Credentials(s, ".dockerconfigjson", RegistryCredentials.Parse), time, logger, watch,
            fieldSelector: "type=kubernetes.io/dockerconfigjson");
        dockerCfg = new(api, ResourcePath.Secrets, s => Credentials(s, ".dockercfg", RegistryCredentials.ParseLegacy), time, logger, watch,
            fieldSelector: "type=kubernetes.io/dockercfg");
        serviceAccounts = new(api, ResourcePath.ServiceAccounts, PullSecretNames, time, logger, watch);
    }

    /// <summary>Completes when all three collections have been listed once.</summary>
    public Task Synced => Task.WhenAll(dockerConfigJson.Synced, dockerCfg.Synced, serviceAccounts.Synced);

    public IEnumerable<Task> Run(CancellationToken cancellationToken) =>
        [dockerConfigJson.RunAsync(cancellationToken), dockerCfg.RunAsync(cancellationToken), serviceAccounts.RunAsync(cancellationToken)];

    public PullScope For(string ns, WorkloadSpec? spec, bool isPod)
    {
        var names = spec?.ImagePullSecrets;
        string[]? inherited = null;
        if (names is not { Count: > 0 } && !isPod)
        {
            serviceAccounts.TryGet(ns + "/" + (spec?.ServiceAccountName is { Length: > 0 } sa ? sa : "default"), out var account);
            inherited = account?.Value;
        }

        if (names is not { Count: > 0 } && inherited is not { Length: > 0 })
        {
            return PullScope.Default;
        }

        var secrets = new List<RegistryCredentials>();
        IEnumerable<string?> named = names is { Count: > 0 } ? names.Select(n => n?.Name) : inherited!;
        foreach (var name in named)
        {
            if (name is { Length: > 0 } && (Find(dockerConfigJson, ns, name) ?? Find(dockerCfg, ns, name)) is { Count: > 0 } credentials)
            {
                secrets.Add(credentials);
            }
        }

        return secrets.Count == 0 ? PullScope.Default : new PullScope(secrets, configured);
    }

    private static RegistryCredentials? Find(ResourceWatcher<RegistryCredentials> watcher, string ns, string name) =>
        watcher.TryGet(ns + "/" + name, out var secret) ? secret.Value : null;

    private static RegistryCredentials Credentials(JsonElement secret, string key, Func<string, RegistryCredentials> parse)
    {
        if (!secret.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty(key, out var encoded) || encoded.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException($"data[\"{key}\"] is missing");
        }

        try
        {
            return parse(Encoding.UTF8.GetString(Convert.FromBase64String(encoded.GetString()!)));
        }
        catch (FormatException e)
        {
            // The messages name fields, never values: this text is logged.
            throw new InvalidDataException($"data[\"{key}\"]: {e.Message}", e);
        }
    }

    private static string[] PullSecretNames(JsonElement account) =>
        account.TryGetProperty("imagePullSecrets", out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray()
                .Select(r => r.ValueKind == JsonValueKind.Object && r.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null)
                .OfType<string>()]
            : [];
}
