using AdmissionGuard.Kubernetes;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>Cluster objects as the API server returns them, with the metadata noise real objects carry.</summary>
internal static class TestObjects
{
    public static readonly WatcherOptions FastWatch = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        AbsentRecheck = TimeSpan.FromSeconds(1),
    };

    // Templates with placeholders rather than interpolation: JSON braces and C# holes do not mix well.
    public static string ClusterPolicy(string name, string mode = "Enforce", string rules = """{"tags":{"disallowed":["latest"]}}""", string match = "{}") => """
        {"apiVersion":"admissionguard.io/v1alpha1","kind":"ClusterImagePolicy",
         "metadata":{"name":"NAME","managedFields":[{"manager":"kubectl","operation":"Apply","fieldsV1":{"f:spec":{}}}],"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
         "spec":{"mode":"MODE","match":MATCH,"rules":RULES}}
        """.Replace("NAME", name, StringComparison.Ordinal).Replace("MODE", mode, StringComparison.Ordinal)
        .Replace("MATCH", match, StringComparison.Ordinal).Replace("RULES", rules, StringComparison.Ordinal);

    public static string NamespacedPolicy(string ns, string name) => """
        {"apiVersion":"admissionguard.io/v1alpha1","kind":"ImagePolicy","metadata":{"name":"NAME","namespace":"NS"},
         "spec":{"mode":"Enforce","rules":{"tags":{"disallowed":["latest"]}}}}
        """.Replace("NAME", name, StringComparison.Ordinal).Replace("NS", ns, StringComparison.Ordinal);

    public static string Source(string name) => """
        {"apiVersion":"admissionguard.io/v1alpha1","kind":"HardenedImageSource","metadata":{"name":"NAME"},
         "spec":{"hardened":["dhi.io/**"],"mappings":[{"from":"docker.io/library/*","to":"dhi.io/{name}:{tag}"}],"verifyExists":false}}
        """.Replace("NAME", name, StringComparison.Ordinal);

    public static string Namespace(string name, string labels = "{}") => """
        {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"NAME","labels":LABELS},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}
        """.Replace("NAME", name, StringComparison.Ordinal).Replace("LABELS", labels, StringComparison.Ordinal);
}
