using System.Diagnostics.CodeAnalysis;

namespace AdmissionGuard.Images;

/// <summary>A compiled image glob as API.md defines it (<c>*</c> within a segment, <c>**</c> across).</summary>
public sealed class ImageGlob
{
    private ImageGlob(string pattern) => Pattern = pattern;

    public string Pattern { get; }

    public static bool TryCompile(string? pattern, [NotNullWhen(true)] out ImageGlob? glob, [NotNullWhen(false)] out string? error)
    {
        throw new NotImplementedException();
    }

    public bool IsMatch(ImageReference reference) => throw new NotImplementedException();
}
