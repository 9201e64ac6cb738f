using AdmissionGuard.Images;

namespace AdmissionGuard.Policies;

/// <summary>A HardenedImageSource ready for the hot path.</summary>
internal sealed class CompiledSource
{
    public required string Name { get; init; }
    public required ImageGlob[] Hardened { get; init; }
    public required ImageGlob[] NotHardened { get; init; }
    public required (ImageGlob From, MappingTemplate To)[] Mappings { get; init; }
    public bool VerifyExists { get; init; }

    public bool IsHardened(ImageReference image) => AnyMatch(Hardened, image) && !AnyMatch(NotHardened, image);

    public static bool AnyMatch(ImageGlob[] globs, ImageReference image)
    {
        foreach (var glob in globs)
        {
            if (glob.IsMatch(image))
            {
                return true;
            }
        }

        return false;
    }
}
