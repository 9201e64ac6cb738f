using AdmissionGuard.Admission;

namespace AdmissionGuard.Evaluation;

/// <summary>Applies planned rewrites to a typed object, as the mutating webhook's patch would.</summary>
public static class RewriteApplier
{
    public static void Apply(string kind, WorkloadObject obj, IEnumerable<ImageResult> results)
    {
        if (!PodSpecLocator.TryLocate(kind, obj, out var spec, out _, out _) || spec is null)
        {
            return;
        }

        foreach (var result in results)
        {
            // Not `is not { } rewrite`: a pattern variable assigned in a negated test cannot be mutated by Stryker.NET
            // (the mutant loses definite assignment and the whole method goes unmutated).
            var rewrite = result.Rewrite;
            if (rewrite is null)
            {
                continue;
            }

            var site = result.Site;
            switch (site.Location)
            {
                case ImageLocation.Container: spec.Containers![site.Index].Image = rewrite.To; break;
                case ImageLocation.InitContainer: spec.InitContainers![site.Index].Image = rewrite.To; break;
                case ImageLocation.EphemeralContainer: spec.EphemeralContainers![site.Index].Image = rewrite.To; break;
                default: spec.Volumes![site.Index].Image!.Reference = rewrite.To; break;
            }
        }
    }
}
