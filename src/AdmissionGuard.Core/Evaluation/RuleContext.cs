using AdmissionGuard.Images;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Evaluation;

/// <summary>The facts a rule may read: caches and the clock, never the network.</summary>
internal readonly struct RuleContext(IScanFacts scans, IRegistryFacts registry, DateTimeOffset now)
{
    public IScanFacts Scans { get; } = scans;
    public IRegistryFacts Registry { get; } = registry;
    public DateTimeOffset Now { get; } = now;

    /// <summary>The digest a reference stands for: written in it, or known from the registry cache.</summary>
    public string? DigestOf(ImageReference image)
    {
        if (image.Digest is not null)
        {
            return image.Digest;
        }

        var fact = Registry.Lookup(image);
        return fact.State == RegistryFactState.Exists ? fact.Digest : null;
    }
}
