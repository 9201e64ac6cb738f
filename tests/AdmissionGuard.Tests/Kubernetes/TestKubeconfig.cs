namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>A kubeconfig file for <c>--kubeconfig</c>: one cluster (the given server URL), a bearer token, one context.</summary>
internal static class TestKubeconfig
{
    public static string Write(string server)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ag-kubeconfig-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: fake, cluster: {server: "{{{server.TrimEnd('/')}}}"}}]
            users: [{name: test, user: {token: test-token}}]
            contexts: [{name: fake, context: {cluster: fake, user: test}}]
            current-context: fake
            """);
        return path;
    }
}
