using k8s;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// An API client for a one-shot command: from <c>--kubeconfig FILE</c>, else as kubectl finds one
/// (<c>$KUBECONFIG</c>, <c>~/.kube/config</c>, the pod's service account). Every way this can fail is an
/// error message, never an exception.
/// </summary>
internal static class KubeClientFactory
{
    /// <summary>Why no cluster can be reached with these settings, or null when one can be tried.</summary>
    public static string? Unavailable(string? kubeconfig)
    {
        if (kubeconfig is not null)
        {
            return File.Exists(kubeconfig) ? null : $"--kubeconfig {kubeconfig}: no such file";
        }

        // BuildDefaultConfig would fall back to http://localhost:8080 when it finds nothing: say so instead.
        var fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator)[0];
        var file = string.IsNullOrEmpty(fromEnvironment) ? KubernetesClientConfiguration.KubeConfigDefaultLocation : fromEnvironment;
        return File.Exists(file) || KubernetesClientConfiguration.IsInCluster()
            ? null
            : $"no cluster to talk to: no --kubeconfig, no {file}{(string.IsNullOrEmpty(fromEnvironment) ? "" : " (from $KUBECONFIG)")}, and not running in a pod";
    }

    public static k8s.Kubernetes? TryCreate(string? kubeconfig, out string? error)
    {
        error = Unavailable(kubeconfig);
        if (error is not null)
        {
            return null;
        }

        try
        {
            var configuration = kubeconfig is not null
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)
                : KubernetesClientConfiguration.BuildDefaultConfig();
            return new k8s.Kubernetes(configuration);
        }
        catch (Exception e)
        {
            // The client reports a broken kubeconfig with whatever it trips on (KubeConfigException, YamlException,
            // CryptographicException for a bad CA, ArgumentNullException for a missing list): all mean the same here.
            error = $"cannot use the kubeconfig{(kubeconfig is null ? "" : " " + kubeconfig)}: {e.Message}";
            return null;
        }
    }
}
