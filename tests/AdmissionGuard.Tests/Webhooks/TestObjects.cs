using System.Text.Json.Nodes;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>
/// Realistic objects (the shapes <c>kubectl create ... --dry-run=client -o json</c> prints, from TestData)
/// and AdmissionReview v1 requests around them, as the API server sends them.
/// </summary>
internal static class TestObjects
{
    public static readonly string[] WorkloadKinds = ["Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"];

    /// <summary>A fresh copy of the test object of this kind: one container "web" with image nginx:1.25 in namespace prod.</summary>
    public static JsonObject Load(string kind, string? ns = null, string? image = null)
    {
        var file = kind == "Widget" ? "unknown-kind.json" : kind.ToLowerInvariant() + ".json";
        var obj = JsonNode.Parse(File.ReadAllText(RepoPaths.TestData(file)))!.AsObject();
        if (ns is not null)
        {
            obj["metadata"]!["namespace"] = ns;
        }

        if (image is not null)
        {
            Containers(obj)[0]!["image"] = image;
        }

        return obj;
    }

    public static string PodSpecPointer(string kind) => kind switch
    {
        "Pod" => "/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        _ => "/spec/template/spec",
    };

    public static JsonObject PodSpec(JsonObject obj)
    {
        JsonNode node = obj;
        foreach (var token in PodSpecPointer((string)obj["kind"]!).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node[token]!;
        }

        return node.AsObject();
    }

    public static JsonArray Containers(JsonObject obj, string list = "containers")
    {
        var spec = PodSpec(obj);
        if (spec[list] is not JsonArray array)
        {
            spec[list] = array = [];
        }

        return array;
    }

    public static JsonObject Container(string name, string image) => new() { ["name"] = name, ["image"] = image, ["resources"] = new JsonObject() };

    public static JsonObject Review(
        JsonObject obj,
        string operation = "CREATE",
        string? subResource = null,
        bool dryRun = false,
        JsonObject? oldObject = null,
        string? uid = null)
    {
        var apiVersion = (string)obj["apiVersion"]!;
        var kind = (string)obj["kind"]!;
        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "" : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        var resource = kind.ToLowerInvariant() + "s";
        var ns = (string?)obj["metadata"]?["namespace"];
        var request = new JsonObject
        {
            ["uid"] = uid ?? Guid.NewGuid().ToString(),
            ["kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind },
            ["resource"] = new JsonObject { ["group"] = group, ["version"] = version, ["resource"] = resource },
            ["requestKind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind },
            ["requestResource"] = new JsonObject { ["group"] = group, ["version"] = version, ["resource"] = resource },
            ["name"] = (string?)obj["metadata"]?["name"],
            ["namespace"] = ns,
            ["operation"] = operation,
            ["userInfo"] = new JsonObject
            {
                ["username"] = "kubernetes-admin",
                ["groups"] = new JsonArray("kubeadm:cluster-admins", "system:authenticated"),
            },
            ["object"] = operation is "DELETE" ? null : obj.DeepClone(),
            ["oldObject"] = operation is "UPDATE" or "DELETE" ? (oldObject ?? obj).DeepClone() : null,
            ["dryRun"] = dryRun,
            ["options"] = new JsonObject
            {
                ["apiVersion"] = "meta.k8s.io/v1",
                ["kind"] = operation switch { "UPDATE" => "UpdateOptions", "DELETE" => "DeleteOptions", _ => "CreateOptions" },
                ["fieldManager"] = "kubectl-client-side-apply",
            },
        };
        if (subResource is not null)
        {
            request["subResource"] = subResource;
            request["requestSubResource"] = subResource;
        }

        return new JsonObject
        {
            ["kind"] = "AdmissionReview",
            ["apiVersion"] = "admission.k8s.io/v1",
            ["request"] = request,
        };
    }
}
