namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>A kubeconfig file for <c>--kubeconfig</c>: one cluster (the given server URL, optionally its CA), a bearer token, one context.</summary>
internal static class TestKubeconfig
{
    public static string Write(string server, string? caPem = null, string token = FakeKubeApiServer.Token)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ag-kubeconfig-{Guid.NewGuid():N}.yaml");
        var ca = caPem is null ? "" : $", certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(caPem))}";
        File.WriteAllText(path, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: fake, cluster: {server: "{{{server.TrimEnd('/')}}}"{{{ca}}}}}]
            users: [{name: test, user: {token: {{{token}}}}}]
            contexts: [{name: fake, context: {cluster: fake, user: test}}]
            current-context: fake
            """);
        return path;
    }
}
