namespace AdmissionGuard.Policies;

/// <summary>A namespace-name glob: <c>*</c> matches any run of characters (names have no <c>/</c>).</summary>
internal sealed class NameGlob
{
    private readonly string[] parts;
    private readonly bool exact;

    public NameGlob(string pattern)
    {
        Pattern = pattern;
        parts = pattern.Split('*');
        exact = parts.Length == 1;
    }

    public string Pattern { get; }

    public bool IsMatch(string name)
    {
        if (exact)
        {
            return string.Equals(name, Pattern, StringComparison.Ordinal);
        }

        var first = parts[0];
        var last = parts[^1];
        if (name.Length < first.Length + last.Length
            || !name.StartsWith(first, StringComparison.Ordinal)
            || !name.EndsWith(last, StringComparison.Ordinal))
        {
            return false;
        }

        var position = first.Length;
        var end = name.Length - last.Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = name.IndexOf(parts[i], position, end - position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + parts[i].Length;
        }

        return true;
    }

    public static bool AnyMatch(NameGlob[] globs, string name)
    {
        foreach (var glob in globs)
        {
            if (glob.IsMatch(name))
            {
                return true;
            }
        }

        return false;
    }
}
