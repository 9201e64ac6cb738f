using System.Diagnostics.CodeAnalysis;

namespace AdmissionGuard.Images;

/// <summary>One entry of a registry allow-list: a repository prefix matched on path-segment boundaries.</summary>
public sealed class RegistryPrefix
{
    private RegistryPrefix(string entry) => Entry = entry;

    public string Entry { get; }

    public static bool TryCompile(string? entry, [NotNullWhen(true)] out RegistryPrefix? prefix, [NotNullWhen(false)] out string? error)
    {
        throw new NotImplementedException();
    }

    public bool IsMatch(ImageReference reference) => throw new NotImplementedException();
}
