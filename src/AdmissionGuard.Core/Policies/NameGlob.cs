using AdmissionGuard.Images;

namespace AdmissionGuard.Policies;

/// <summary>
/// A glob over a name without <c>/</c> (a namespace, a tag): <c>*</c> matches any run of characters. The one glob
/// engine, <see cref="GlobMatcher"/>, does the matching; for a name without <c>/</c> every run of stars means the same.
/// </summary>
internal sealed class NameGlob
{
    private readonly GlobMatcher matcher;

    public NameGlob(string pattern)
    {
        Pattern = pattern;
        matcher = GlobMatcher.Compile(CollapseStars(pattern));
    }

    public string Pattern { get; }

    public bool IsMatch(string name) => matcher.IsMatch(name);

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

    // GlobMatcher expects no runs of three stars; "**" and "*" are the same where there is no "/" to cross.
    private static string CollapseStars(string pattern)
    {
        if (!pattern.Contains("**", StringComparison.Ordinal))
        {
            return pattern;
        }

        var collapsed = new System.Text.StringBuilder(pattern.Length);
        foreach (var c in pattern)
        {
            if (c != '*' || collapsed.Length == 0 || collapsed[^1] != '*')
            {
                collapsed.Append(c);
            }
        }

        return collapsed.ToString();
    }
}
