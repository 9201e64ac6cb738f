using AdmissionGuard.Evaluation;
using AdmissionGuard.Images;

namespace AdmissionGuard.Policies;

/// <summary>A ClusterImagePolicy or ImagePolicy compiled once: globs are matchers, selectors predicates.</summary>
internal sealed class CompiledPolicy
{
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public string? Namespace { get; init; }
    public required PolicyMode Mode { get; init; }
    public required CompiledMatch Match { get; init; }
    public CompiledSelector NamespaceSelector => Match.NamespaceSelector;
    public required ImageGlob[] Include { get; init; }
    public required ImageGlob[] Exclude { get; init; }
    public required IImageRule[] Rules { get; init; }
    public required CompiledSource[] Sources { get; init; }
    public bool RewriteEnabled { get; init; }
    public bool PinDigest { get; init; }

    /// <summary>A <c>signatures</c> rule verifies the digest that will run, so <c>/mutate</c> pins it, whatever <see cref="PinDigest"/> says.</summary>
    public bool VerifiesSignatures { get; init; }
    public RewriteTarget RewriteTarget { get; init; }
    public required CompiledExemption[] Exemptions { get; init; }

    /// <summary><c>ClusterImagePolicy/name</c> or <c>ImagePolicy/namespace/name</c>.</summary>
    public required string Id { get; init; }

    public bool Selects(ImageReference image) =>
        CompiledSource.AnyMatch(Include, image) && !CompiledSource.AnyMatch(Exclude, image);

    public bool IsHardened(ImageReference image)
    {
        foreach (var source in Sources)
        {
            if (source.IsHardened(image))
            {
                return true;
            }
        }

        return false;
    }
}
