using System.IO.Hashing;
using System.Text;
using AdmissionGuard.Caching;

namespace AdmissionGuard.Admission;

/// <summary>
/// The strings of a review that repeat in the next one (images, container names, namespaces, label keys and values)
/// as the same string objects: a value read before is found by its UTF-8 bytes instead of being decoded and allocated
/// again. Only short ASCII values are kept (the case of every name and image the API server validates); anything else
/// is decoded as it always was.
/// </summary>
internal static class RepeatedStrings
{
    private const int MaxLength = 256;

    // 4,096 slots of at most 256 characters: about 2 MiB at the very worst, usually a few hundred KiB.
    private static readonly RecentValues<string> Recent = new(4096);

    // Throws on invalid UTF-8, as the JSON reader's GetString does.
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The string of <paramref name="utf8"/>; throws an <see cref="ArgumentException"/> on invalid UTF-8.</summary>
    public static string Decode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Strict.GetString(utf8);
        }

        // XxHash3 reads the bytes 16 or 32 at a time; HashCode.AddBytes takes four at a time, and was 190 instructions
        // for a typical name or image (callgrind). A slot's hit is checked against the bytes, so only spread matters.
        var key = unchecked((int)XxHash3.HashToUInt64(utf8));
        if (Recent.Recall(key) is { } recent && recent.Length == utf8.Length && Ascii.Equals(utf8, recent))
        {
            return recent;
        }

        var value = Strict.GetString(utf8);
        // As many characters as bytes only when every byte is ASCII, the one case Ascii.Equals can match.
        if (value.Length == utf8.Length)
        {
            Recent.Remember(key, value);
        }

        return value;
    }
}
