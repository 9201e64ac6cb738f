namespace AdmissionGuard.Images;

internal enum GlobTokenKind
{
    Literal,

    /// <summary><c>*</c>: any run of characters without '/'.</summary>
    Star,

    /// <summary><c>**</c>: any run of characters, '/' included.</summary>
    DoubleStar,

    /// <summary><c>/**/</c>: a single '/' or any run that starts and ends with '/', so <c>a/**/b</c> matches <c>a/b</c>.</summary>
    SlashDoubleStarSlash,
}
