using System.Diagnostics.CodeAnalysis;

namespace AdmissionGuard.Images;

/// <summary>Parses image references by the distribution reference grammar, then normalizes them as Docker does.</summary>
public static class ImageReferenceParser
{
    /// <summary>Never throws; on failure <paramref name="error"/> says precisely what is wrong.</summary>
    public static bool TryParse(string? input, [NotNullWhen(true)] out ImageReference? reference, [NotNullWhen(false)] out string? error)
    {
        throw new NotImplementedException();
    }
}
