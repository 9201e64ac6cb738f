namespace AdmissionGuard.Chart.Tests.Support;

/// <summary>The helm renders tests/setup/helm.sh writes, plus the committed install.yaml.</summary>
public static class Renders
{
    public const string ReleaseNamespace = "admission-guard";

    public static TheoryData<string> All => new()
    {
        "default", "cert-self-managed", "cert-cert-manager", "cert-secret", "all-options", "enforce", "install", "tracing",
    };

    /// <summary>Renders using the chart's default values (install.yaml is the default render).</summary>
    public static TheoryData<string> Defaults => new() { "default", "install" };

    private static readonly Dictionary<string, List<object>> Cache = new();

    public static List<object> Load(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var objects))
            {
                objects = KubeObjects.LoadAll(RepoPaths.ReadRender(name));
                Cache[name] = objects;
            }

            return objects;
        }
    }

    public static IEnumerable<T> OfType<T>(string name) => Load(name).OfType<T>();
}
