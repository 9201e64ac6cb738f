using System.Text.Json;
using System.Text.RegularExpressions;
using AdmissionGuard.Evaluation.Rules.Signatures;
using AdmissionGuard.Policies;

namespace AdmissionGuard.Serialization;

/// <summary>
/// Turns what System.Text.Json says about a bad field into a kubectl-style error: the field path and what was
/// expected (<c>spec.rules.tags.disallowed: expected a list of strings</c>), never a .NET type name.
/// </summary>
public static partial class FieldErrors
{
    /// <summary><c>field: message</c> for a decoding failure.</summary>
    public static string Describe(JsonException error)
    {
        var (field, message) = Split(error);
        return field.Length == 0 ? message : $"{field}: {message}";
    }

    /// <summary>The field path (empty for the whole object) and what is wrong with it, in kubectl's words.</summary>
    public static (string Field, string Message) Split(JsonException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var field = error.Path?.TrimStart('$').TrimStart('.') ?? "";
        var message = error.Message;
        var unknown = UnknownMember().Match(message);
        if (unknown.Success)
        {
            var name = unknown.Groups["name"].Value;
            var at = field.Length == 0 ? name : field.EndsWith(name, StringComparison.Ordinal) ? field : $"{field}.{name}";
            var near = KnownFields(unknown.Groups["type"].Value) is { } known ? DidYouMean(name, known) : null;
            return (at, near is null ? $"unknown field \"{name}\"" : $"unknown field \"{name}\"; did you mean \"{near}\"?");
        }

        var converted = ConvertedTo().Match(message);
        var expected = converted.Success ? Expected(converted.Groups["type"].Value) : null;
        return (field, expected ?? FirstLine(message));
    }

    /// <summary>The closest of <paramref name="known"/> to <paramref name="text"/>, if one is close enough to be a typo.</summary>
    public static string? DidYouMean(string text, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(known);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = string.Equals(candidate, text, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(candidate.ToLowerInvariant(), text.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best is not null && bestDistance <= Math.Max(1, best.Length / 3) ? best : null;
    }

    private static string? Expected(string type) => type switch
    {
        _ when type.Contains("List`1[System.String]", StringComparison.Ordinal) => "expected a list of strings",
        _ when type.Contains("List`1", StringComparison.Ordinal) => "expected a list",
        _ when type.Contains("Dictionary`2", StringComparison.Ordinal) => "expected a map of strings",
        _ when type.Contains("System.String", StringComparison.Ordinal) => "expected a string",
        _ when type.Contains("System.Boolean", StringComparison.Ordinal) => "expected true or false",
        _ when type.Contains("System.Int", StringComparison.Ordinal) => "expected an integer",
        _ when type.Contains("DateTimeOffset", StringComparison.Ordinal) => "expected an RFC 3339 time",
        _ when type.StartsWith("AdmissionGuard.", StringComparison.Ordinal) => "expected an object",
        _ => null,
    };

    private static readonly Type[] SpecTypes =
    [
        typeof(ImagePolicy), typeof(ImagePolicySpec), typeof(PolicyMatch), typeof(ImageSelection), typeof(PolicyRules),
        typeof(HardenedRuleSpec), typeof(RegistryRuleSpec), typeof(TagRuleSpec), typeof(ScanRuleSpec), typeof(RewriteSpec),
        typeof(PolicyExemption), typeof(HardenedImageSource), typeof(HardenedImageSourceSpec), typeof(ImageMapping),
        typeof(LabelSelector), typeof(LabelSelectorRequirement), typeof(ObjectMeta),
        typeof(SignatureRuleSpec), typeof(SignatureKeySpec), typeof(SecretKeySelector), typeof(AttestationSpec),
    ];

    /// <summary>The field names of one of our types, as written in YAML; null when the type is not known.</summary>
    private static IEnumerable<string>? KnownFields(string typeName)
    {
        var type = Array.Find(SpecTypes, t => t.FullName == typeName);
        return type is null || AgJsonContext.Yaml.GetTypeInfo(type) is not { } info ? null : info.Properties.Select(p => p.Name);
    }

    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }

    /// <summary>A System.Text.Json message without the " Path: ... | LineNumber: ..." it appends.</summary>
    internal static string FirstLine(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    [GeneratedRegex("could not be converted to (?<type>[^ .]+(\\.[^ .]+)*)")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex("The JSON property '(?<name>[^']*)' could not be mapped to any .NET member contained in type '(?<type>[^']*)'")]
    private static partial Regex UnknownMember();
}
