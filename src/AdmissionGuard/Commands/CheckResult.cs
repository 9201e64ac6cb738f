using AdmissionGuard.Evaluation;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Commands;

internal sealed record CheckResult(Manifest Manifest, string Namespace, Verdict Verdict, IReadOnlyList<ImageRewrite> Rewrites)
{
    /// <summary>At least one policy judged the workload (its kind is evaluated and a policy matched it).</summary>
    public bool Judged => Verdict.Evaluated && Verdict.Images.Count != 0;

    /// <summary>
    /// The twin an image was judged as, when a rewrite will replace it (the engine judges what will run and says so in a
    /// "will be replaced by" or "would be rewritten to" warning); null when it was judged as written.
    /// </summary>
    public string? JudgedAs(ImageResult image)
    {
        if (Rewrites.FirstOrDefault(r => r.Pointer == image.Site.Pointer) is { } rewrite)
        {
            return rewrite.To;
        }

        var prefix = $"{image.Site.Describe()}: image \"{image.Site.Image}\" ";
        foreach (var warning in Verdict.Warnings)
        {
            foreach (var said in (string[])[" will be replaced by \"", " would be rewritten to \""])
            {
                if (warning.StartsWith(prefix, StringComparison.Ordinal) && warning.IndexOf(said, prefix.Length - 1, StringComparison.Ordinal) is var at and >= 0
                    && warning.IndexOf('"', at + said.Length) is var end and > 0)
                {
                    return warning[(at + said.Length)..end];
                }
            }
        }

        return null;
    }
}
