using AdmissionGuard.Images;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AdmissionGuard.Tests.Images;

public class ImageReferenceParserPropertyTests
{
    private const string GrammarAlphabet = "abcz09AZ.-_:/@[]";

    private static readonly string[] Registries =
    [
        "", "docker.io/", "index.docker.io/", "registry-1.docker.io/", "localhost/", "localhost:5000/",
        "LOCALHOST:05000/", "[::1]:5000/", "[2001:DB8::1]/", "Registry.Example.COM/", "10.0.0.1:8080/", "dhi.io/",
    ];

    private static readonly string[] Separators = [".", "_", "__", "-", "---"];

    [Property(MaxTest = 500)]
    public Property TryParse_ArbitraryUnicodeString_NeverThrows()
    {
        var anyChar = Gen.Choose(0, 0xFFFF).Select(i => (char)i);
        var text = anyChar.ArrayOf().Select(chars => new string(chars));
        return Prop.ForAll(Arb.From(text), s => ParsesConsistently(s));
    }

    [Property(MaxTest = 2000)]
    public Property TryParse_GrammarAlphabetString_NeverThrowsAndRoundTrips()
    {
        var text = Gen.Elements(GrammarAlphabet.ToCharArray()).ArrayOf().Select(chars => new string(chars));
        return Prop.ForAll(Arb.From(text), s => ParsesConsistently(s));
    }

    [Property]
    public bool TryParse_FsCheckDefaultString_NeverThrows(string? input) => ParsesConsistently(input);

    [Property(MaxTest = 1000)]
    public Property TryParse_GeneratedValidReference_SucceedsAndRoundTrips()
    {
        return Prop.ForAll(Arb.From(ValidReference()), s =>
        {
            if (!ImageReferenceParser.TryParse(s, out var first, out var error))
            {
                throw new InvalidOperationException($"{s}: {error}");
            }

            var again = TestImages.Parse(first.Normalized);
            return again.Normalized == first.Normalized
                && again.Registry == first.Registry
                && again.Path == first.Path
                && again.Tag == first.Tag
                && again.Digest == first.Digest;
        });
    }

    private static bool ParsesConsistently(string? input)
    {
        if (!ImageReferenceParser.TryParse(input, out var reference, out var error))
        {
            return reference is null && !string.IsNullOrEmpty(error);
        }

        return error is null
            && ImageReferenceParser.TryParse(reference.Normalized, out var again, out _)
            && again.Normalized == reference.Normalized;
    }

    private static Gen<string> ValidReference()
    {
        var alphaNumericChar = Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray());
        var alphaNumeric =
            from length in Gen.Choose(1, 6)
            from chars in alphaNumericChar.ArrayOf(length)
            select new string(chars);
        var component =
            from left in alphaNumeric
            from separator in Gen.Elements(Separators)
            from right in alphaNumeric
            select left + separator + right;
        var anyComponent = Gen.OneOf(alphaNumeric, component);
        var path =
            from count in Gen.Choose(1, 4)
            from parts in anyComponent.ArrayOf(count)
            select string.Join('/', parts);
        var tagChar = Gen.Elements("abcXYZ019_.-".ToCharArray());
        var tag =
            from first in Gen.Elements("aZ9_".ToCharArray())
            from length in Gen.Choose(0, 12)
            from rest in tagChar.ArrayOf(length)
            select ":" + first + new string(rest);
        var hex = Gen.Elements("0123456789abcdef".ToCharArray());
        var digest = Gen.OneOf(
            hex.ArrayOf(64).Select(h => "@sha256:" + new string(h)),
            hex.ArrayOf(128).Select(h => "@sha512:" + new string(h)));
        var optionalTag = Gen.OneOf(Gen.Constant(""), tag);
        var optionalDigest = Gen.OneOf(Gen.Constant(""), digest);
        return
            from registry in Gen.Elements(Registries)
            from repositoryPath in path
            from tagText in optionalTag
            from digestText in optionalDigest
            select registry + repositoryPath + tagText + digestText;
    }
}
