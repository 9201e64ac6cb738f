using System.Text;
using AdmissionGuard.Images;

namespace AdmissionGuard.Fuzz;

/// <summary>
/// <see cref="ImageReferenceParser.TryParse"/> must never throw, and a normalized reference must be a
/// fixed point: if it parsed differently the second time, policies would match one image and the
/// runtime pull another.
/// </summary>
internal static class ReferenceTarget
{
    public static void Run(ReadOnlyMemory<byte> input)
    {
        var text = Encoding.UTF8.GetString(input.Span);
        if (!ImageReferenceParser.TryParse(text, out var reference, out var error))
        {
            FuzzFinding.Check(!string.IsNullOrEmpty(error), "a rejected reference has no error message");
            return;
        }

        var normalized = reference.Normalized;
        FuzzFinding.Check(ImageReferenceParser.TryParse(normalized, out var again, out var againError),
            $"\"{text}\" normalizes to \"{normalized}\", which does not parse: {againError}");
        FuzzFinding.Check(again.Normalized == normalized,
            $"\"{text}\" normalizes to \"{normalized}\", which normalizes to \"{again.Normalized}\"");
        FuzzFinding.Check(again.Registry == reference.Registry && again.Path == reference.Path && again.Tag == reference.Tag && again.Digest == reference.Digest,
            $"\"{normalized}\" re-parses into different parts");
    }
}
