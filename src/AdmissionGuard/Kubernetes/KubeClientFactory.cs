using k8s;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// An API client for a one-shot command: from <c>--kubeconfig FILE</c>, else as kubectl finds one
/// (<c>$KUBECONFIG</c>, <c>~/.kube/config</c>, the pod's service account). Every way this can fail is an
/// error message, never an exception.
/// </summary>
internal static class KubeClientFactory
{
    public static k8s.Kubernetes? TryCreate(string? kubeconfig, out string? error)
    {
        error = null;
        if (kubeconfig is not null && !File.Exists(kubeconfig))
        {
            error = $"--kubeconfig {kubeconfig}: no such file";
            return null;
        }

        // BuildDefaultConfig would fall back to http://localhost:8080 when it finds nothing: say so instead.
        if (kubeconfig is null
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBECONFIG"))
            && !File.Exists(KubernetesClientConfiguration.KubeConfigDefaultLocation)
            && !KubernetesClientConfiguration.IsInCluster())
        {
            error = $"no cluster to talk to: no --kubeconfig, no $KUBECONFIG, no {KubernetesClientConfiguration.KubeConfigDefaultLocation}, and not running in a pod";
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
