using AdmissionGuard.Admission;

namespace AdmissionGuard.Evaluation;

/// <summary>Finds the pod spec of each kind API.md lists, and the JSON Pointer it lives at.</summary>
public static class PodSpecLocator
{
    public static bool IsSupported(string kind) => kind is "Pod" or "Deployment" or "ReplicaSet" or "StatefulSet"
        or "DaemonSet" or "Job" or "CronJob" or "ReplicationController";

    /// <summary>False for kinds that are not evaluated. A supported kind with no spec yields a null spec.</summary>
    public static bool TryLocate(string kind, WorkloadObject obj, out WorkloadSpec? spec, out IReadOnlyDictionary<string, string>? labels, out string pointer)
    {
        switch (kind)
        {
            case "Pod":
                spec = obj.Spec;
                labels = obj.Metadata?.Labels;
                pointer = "/spec";
                return true;
            case "CronJob":
                var job = obj.Spec?.JobTemplate?.Spec?.Template;
                spec = job?.Spec;
                labels = job?.Metadata?.Labels;
                pointer = "/spec/jobTemplate/spec/template/spec";
                return true;
            case "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet" or "Job" or "ReplicationController":
                spec = obj.Spec?.Template?.Spec;
                labels = obj.Spec?.Template?.Metadata?.Labels;
                pointer = "/spec/template/spec";
                return true;
            default:
                spec = null;
                labels = null;
                pointer = "";
                return false;
        }
    }

    public static List<ImageSite> Sites(WorkloadSpec? spec, string pointer)
    {
        var sites = new List<ImageSite>();
        if (spec is null)
        {
            return sites;
        }

        Add(sites, spec.Containers, ImageLocation.Container, pointer, "/containers/");
        Add(sites, spec.InitContainers, ImageLocation.InitContainer, pointer, "/initContainers/");
        Add(sites, spec.EphemeralContainers, ImageLocation.EphemeralContainer, pointer, "/ephemeralContainers/");
        if (spec.Volumes is { } volumes)
        {
            for (var i = 0; i < volumes.Count; i++)
            {
                if (volumes[i]?.Image is { } image)
                {
                    sites.Add(new ImageSite(ImageLocation.ImageVolume, volumes[i].Name ?? $"#{i}", i, image.Reference ?? "", $"{pointer}/volumes/{i}/image/reference"));
                }
            }
        }

        return sites;
    }

    private static void Add(List<ImageSite> sites, List<ContainerSpec>? containers, ImageLocation location, string pointer, string field)
    {
        if (containers is null)
        {
            return;
        }

        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i];
            // A container without an image field is still a site: the API server would reject it, and so do we.
            sites.Add(new ImageSite(location, container?.Name ?? $"#{i}", i, container?.Image ?? "", string.Concat(pointer, field, i.ToString(System.Globalization.CultureInfo.InvariantCulture), "/image")));
        }
    }
}
