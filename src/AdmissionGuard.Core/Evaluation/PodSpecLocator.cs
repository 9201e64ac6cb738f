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
        if (spec is null)
        {
            return [];
        }

        var sites = new List<ImageSite>(SiteCount(spec));
        var row = PointerRow(pointer);
        Add(sites, spec.Containers, ImageLocation.Container, pointer, row);
        Add(sites, spec.InitContainers, ImageLocation.InitContainer, pointer, row);
        Add(sites, spec.EphemeralContainers, ImageLocation.EphemeralContainer, pointer, row);
        if (spec.Volumes is { } volumes)
        {
            for (var i = 0; i < volumes.Count; i++)
            {
                if (volumes[i]?.Image is { } image)
                {
                    sites.Add(new ImageSite(ImageLocation.ImageVolume, volumes[i].Name ?? $"#{i}", i, image.Reference ?? "", PointerOf(pointer, row, ImageLocation.ImageVolume, i)));
                }
            }
        }

        return sites;
    }

    /// <summary>How many sites <see cref="Sites"/> lists for <paramref name="spec"/>.</summary>
    internal static int SiteCount(WorkloadSpec spec)
    {
        var count = (spec.Containers?.Count ?? 0) + (spec.InitContainers?.Count ?? 0) + (spec.EphemeralContainers?.Count ?? 0);
        foreach (var volume in spec.Volumes ?? [])
        {
            if (volume?.Image is not null)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Whether one of the sites <see cref="Sites"/> lists for <paramref name="spec"/> has <paramref name="image"/>, without building them.</summary>
    internal static bool HasImage(WorkloadSpec spec, string image)
    {
        if (Has(spec.Containers, image) || Has(spec.InitContainers, image) || Has(spec.EphemeralContainers, image))
        {
            return true;
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            if (volume?.Image is { } source && string.Equals(source.Reference ?? "", image, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Has(List<ContainerSpec>? containers, string image)
    {
        foreach (var container in containers ?? [])
        {
            if (string.Equals(container?.Image ?? "", image, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void Add(List<ImageSite> sites, List<ContainerSpec>? containers, ImageLocation location, string pointer, int row)
    {
        if (containers is null)
        {
            return;
        }

        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i];
            // A container without an image field is still a site: the API server would reject it, and so do we.
            sites.Add(new ImageSite(location, container?.Name ?? $"#{i}", i, container?.Image ?? "", PointerOf(pointer, row, location, i)));
        }
    }

    // Every admission names the same few JSON pointers (the three spec paths TryLocate returns, the first containers of
    // each list): they are built once and kept, instead of once per site and request. Racing threads build equal strings.
    private const int KeptIndices = 16;
    private static readonly string[] KeptPointers = ["/spec", "/spec/template/spec", "/spec/jobTemplate/spec/template/spec"];
    private static readonly string?[][] Kept = [.. Enumerable.Range(0, KeptPointers.Length * 4).Select(_ => new string?[KeptIndices])];

    private static int PointerRow(string pointer) => Array.IndexOf(KeptPointers, pointer);

    private static string PointerOf(string pointer, int row, ImageLocation location, int index)
    {
        if (row < 0 || index >= KeptIndices)
        {
            return BuildPointer(pointer, location, index);
        }

        var kept = Kept[(row * 4) + (int)location];
        return kept[index] ??= BuildPointer(pointer, location, index);
    }

    private static string BuildPointer(string pointer, ImageLocation location, int index)
    {
        var i = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return location switch
        {
            ImageLocation.Container => string.Concat(pointer, "/containers/", i, "/image"),
            ImageLocation.InitContainer => string.Concat(pointer, "/initContainers/", i, "/image"),
            ImageLocation.EphemeralContainer => string.Concat(pointer, "/ephemeralContainers/", i, "/image"),
            _ => string.Concat(pointer, "/volumes/", i, "/image/reference"),
        };
    }
}
