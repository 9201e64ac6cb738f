using System.Text;
using AdmissionGuard.Images;

namespace AdmissionGuard.Policies;

/// <summary>A mapping's <c>to</c>, split once into literal text and variables.</summary>
internal sealed class MappingTemplate
{
    private readonly (string? Literal, string? Variable)[] parts;

    private MappingTemplate(string text, (string?, string?)[] parts)
    {
        Text = text;
        this.parts = parts;
    }

    public string Text { get; }

    public static MappingTemplate? Compile(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "required";
            return null;
        }

        var parts = new List<(string?, string?)>();
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf('{', i);
            // Every "}" closes a variable: one in literal text (`dhi.io/{name}}`) is a typo, not part of a twin's name.
            var stray = open < 0 ? text.IndexOf('}', i) : text.IndexOf('}', i, open - i);
            if (stray >= 0)
            {
                error = $"unmatched \"}}\" at position {stray}";
                return null;
            }

            if (open < 0)
            {
                parts.Add((text[i..], null));
                break;
            }

            if (open > i)
            {
                parts.Add((text[i..open], null));
            }

            var close = text.IndexOf('}', open);
            if (close < 0)
            {
                error = $"unclosed \"{{\" at position {open}";
                return null;
            }

            var variable = text[(open + 1)..close];
            // A pattern rather than a static array: Stryker cannot run a static initializer's mutants against the tests that use it.
            if (variable is not ("registry" or "repository" or "path" or "name" or "tag"))
            {
                error = $"unknown variable {{{variable}}}; use {{registry}}, {{repository}}, {{path}}, {{name}} or {{tag}}";
                return null;
            }

            parts.Add((null, variable));
            i = close + 1;
        }

        return new MappingTemplate(text, [.. parts]);
    }

    /// <summary>Whether the template uses <c>{name}</c>-like variable <paramref name="variable"/>.</summary>
    public bool Uses(string variable) => Array.Exists(parts, p => p.Variable == variable);

    /// <summary>The twin for <paramref name="source"/>, or null when the source has no twin (digest only).</summary>
    public string? Expand(ImageReference source)
    {
        // A digest names content of the source repository; it is never carried to another one.
        if (source.Tag is null && source.Digest is not null)
        {
            return null;
        }

        return ExpandAlways(source);
    }

    /// <summary>The template filled from <paramref name="source"/>, digest or not (a repository to look in, not a twin).</summary>
    public string ExpandAlways(ImageReference source)
    {
        var builder = new StringBuilder(64);
        foreach (var (literal, variable) in parts)
        {
            builder.Append(literal ?? variable switch
            {
                "registry" => source.Registry,
                "repository" => source.Repository,
                "path" => source.Path,
                "name" => source.Name,
                _ => source.TagOrLatest,
            });
        }

        return builder.ToString();
    }
}
