namespace AdmissionGuard.Images;

/// <summary>
/// Matches one part of a reference (repository, tag or digest) against <c>*</c>/<c>**</c> wildcards.
/// Expects a pattern already validated by its owner (no runs of three stars).
/// </summary>
internal sealed class GlobMatcher
{
    private const int StackLimit = 512;

    private readonly GlobTokenKind[] kinds;
    private readonly string[] literals;

    // Most patterns in real policies are a literal, a literal prefix plus "**", or one "*" before, after or around a
    // literal ("docker.io/library/*", "*-dev", "*-rc*"); those skip the general matcher. "*" stops at "/", so each of
    // these has one way to match: the literal at the start or the end (or anywhere, when the literal has no "/" and
    // so neither may the text), and no "/" in what the star covers.
    private readonly string? exact;
    private readonly string? prefix;
    private readonly bool matchesAll;
    private readonly string? beforeStar;
    private readonly string? afterStar;
    private readonly string? betweenStars;

    private GlobMatcher(List<GlobTokenKind> kinds, List<string> literals)
    {
        this.kinds = [.. kinds];
        this.literals = [.. literals];
        if (this.kinds is [GlobTokenKind.Literal])
        {
            exact = this.literals[0];
        }
        else if (this.kinds is [GlobTokenKind.Literal, GlobTokenKind.DoubleStar])
        {
            prefix = this.literals[0];
        }
        else if (this.kinds is [GlobTokenKind.DoubleStar])
        {
            matchesAll = true;
        }
        else if (this.kinds is [GlobTokenKind.Literal, GlobTokenKind.Star])
        {
            beforeStar = this.literals[0];
        }
        else if (this.kinds is [GlobTokenKind.Star, GlobTokenKind.Literal])
        {
            afterStar = this.literals[1];
        }
        else if (this.kinds is [GlobTokenKind.Star, GlobTokenKind.Literal, GlobTokenKind.Star] && !this.literals[1].Contains('/', StringComparison.Ordinal))
        {
            betweenStars = this.literals[1];
        }
    }

    public static GlobMatcher Compile(string pattern)
    {
        var kinds = new List<GlobTokenKind>();
        var literals = new List<string>();
        var literal = new System.Text.StringBuilder();
        var i = 0;
        while (i < pattern.Length)
        {
            if (pattern[i] != '*')
            {
                literal.Append(pattern[i]);
                i++;
                continue;
            }

            var doubled = i + 1 < pattern.Length && pattern[i + 1] == '*';
            var end = i + (doubled ? 2 : 1);
            GlobTokenKind kind;
            if (doubled && literal.Length > 0 && literal[^1] == '/' && end < pattern.Length && pattern[end] == '/')
            {
                literal.Length--;
                kind = GlobTokenKind.SlashDoubleStarSlash;
                end++;
            }
            else
            {
                kind = doubled ? GlobTokenKind.DoubleStar : GlobTokenKind.Star;
            }

            if (literal.Length > 0)
            {
                kinds.Add(GlobTokenKind.Literal);
                literals.Add(literal.ToString());
                literal.Clear();
            }

            kinds.Add(kind);
            literals.Add("");
            i = end;
        }

        if (literal.Length > 0 || kinds.Count == 0)
        {
            kinds.Add(GlobTokenKind.Literal);
            literals.Add(literal.ToString());
        }

        return new GlobMatcher(kinds, literals);
    }

    public bool IsMatch(ReadOnlySpan<char> text)
    {
        if (exact is not null)
        {
            return text.SequenceEqual(exact);
        }

        if (prefix is not null)
        {
            return text.StartsWith(prefix, StringComparison.Ordinal);
        }

        if (matchesAll)
        {
            return true;
        }

        if (beforeStar is not null)
        {
            return text.StartsWith(beforeStar, StringComparison.Ordinal) && !text[beforeStar.Length..].Contains('/');
        }

        if (afterStar is not null)
        {
            return text.EndsWith(afterStar, StringComparison.Ordinal) && !text[..^afterStar.Length].Contains('/');
        }

        if (betweenStars is not null)
        {
            return !text.Contains('/') && text.Contains(betweenStars, StringComparison.Ordinal);
        }

        return IsMatchInGeneral(text);
    }

    /// <summary>The general matcher, for any pattern; <see cref="IsMatch"/> takes shortcuts for the common shapes.</summary>
    internal bool IsMatchInGeneral(ReadOnlySpan<char> text)
    {
        // Dynamic programming over text positions keeps the cost at tokens x length, so a pattern full
        // of stars cannot make matching exponential the way naive backtracking would.
        var size = text.Length + 1;
        var current = size <= StackLimit ? stackalloc bool[size] : new bool[size];
        var next = size <= StackLimit ? stackalloc bool[size] : new bool[size];
        current.Clear();
        current[0] = true;
        for (var t = 0; t < kinds.Length; t++)
        {
            next.Clear();
            var any = false;
            switch (kinds[t])
            {
                case GlobTokenKind.Literal:
                    var literal = literals[t].AsSpan();
                    for (var j = 0; j + literal.Length < size; j++)
                    {
                        if (current[j] && text.Slice(j, literal.Length).SequenceEqual(literal))
                        {
                            next[j + literal.Length] = true;
                            any = true;
                        }
                    }

                    break;
                case GlobTokenKind.Star:
                    var open = false;
                    for (var j = 0; j < size; j++)
                    {
                        if (j > 0 && text[j - 1] == '/')
                        {
                            open = false;
                        }

                        open |= current[j];
                        next[j] = open;
                        any |= open;
                    }

                    break;
                case GlobTokenKind.DoubleStar:
                    var started = false;
                    for (var j = 0; j < size; j++)
                    {
                        started |= current[j];
                        next[j] = started;
                        any |= started;
                    }

                    break;
                case GlobTokenKind.SlashDoubleStarSlash:
                    var afterSlash = false;
                    for (var j = 1; j < size; j++)
                    {
                        var slash = text[j - 1] == '/';
                        afterSlash |= current[j - 1] && slash;
                        next[j] = afterSlash && slash;
                        any |= next[j];
                    }

                    break;
            }

            if (!any)
            {
                return false;
            }

            var swap = current;
            current = next;
            next = swap;
        }

        return current[text.Length];
    }
}
