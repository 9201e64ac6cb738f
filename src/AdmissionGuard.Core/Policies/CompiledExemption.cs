using AdmissionGuard.Images;

namespace AdmissionGuard.Policies;

internal sealed class CompiledExemption
{
    public required ImageGlob[] Images { get; init; }
    public required NameGlob[] Namespaces { get; init; }
    public required DateTimeOffset Expires { get; init; }
    public required string Reason { get; init; }

    public bool Covers(ImageReference image, string @namespace) =>
        CompiledSource.AnyMatch(Images, image) && (Namespaces.Length == 0 || NameGlob.AnyMatch(Namespaces, @namespace));
}
