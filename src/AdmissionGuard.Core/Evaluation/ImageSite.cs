namespace AdmissionGuard.Evaluation;

/// <summary>One image-bearing field of a Pod or template: where it is and what is written there.</summary>
/// <param name="Pointer">JSON Pointer (RFC 6901) of the image string in the received object.</param>
public sealed record ImageSite(ImageLocation Location, string Name, int Index, string Image, string Pointer)
{
    /// <summary>How a developer knows the field: <c>container "web"</c>, <c>initContainer "setup"</c>.</summary>
    public string Describe() => $"{LocationName(Location)} \"{Name}\"";

    public static string LocationName(ImageLocation location) => location switch
    {
        ImageLocation.Container => "container",
        ImageLocation.InitContainer => "initContainer",
        ImageLocation.EphemeralContainer => "ephemeralContainer",
        _ => "volume",
    };
}
