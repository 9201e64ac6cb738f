using AdmissionGuard.Evaluation;
using AdmissionGuard.Registry;

namespace AdmissionGuard.Commands;

/// <summary>
/// <c>check</c> without <c>--registry</c>: asks no registry and assumes that every reference exists, so a twin a
/// source must verify is judged as the cluster would judge it once its registry confirms it. <see cref="Explain"/>
/// then says which rewrites rest on that assumption, so they are warnings rather than denials or silent passes.
/// </summary>
internal sealed class OfflineRegistryFacts : IRegistryFacts
{
    public static readonly OfflineRegistryFacts Instance = new();

    private const string Replaced = " will be replaced by \"";

    public RegistryFact Lookup(string normalizedReference) => new(RegistryFactState.Exists, null);

    /// <summary>No registry is asked, so a <c>signatures</c> rule is reported as not evaluated, not as a denial.</summary>
    public bool Offline => true;

    /// <summary>
    /// <paramref name="assumed"/> (judged with this) with each "will be replaced by" that <paramref name="known"/>
    /// (judged with no registry facts) does not have, i.e. each twin only the assumption made usable, said to be unverified.
    /// </summary>
    public static Verdict Explain(Verdict assumed, Verdict known)
    {
        var warnings = assumed.Warnings.Select(w => w.Contains(Replaced, StringComparison.Ordinal) && !known.Warnings.Contains(w) ? Unverified(w) : w).ToList();
        return assumed with { Warnings = warnings };
    }

    private static string Unverified(string warning)
    {
        var at = warning.LastIndexOf(Replaced, StringComparison.Ordinal);
        var twin = warning[(at + Replaced.Length)..].TrimEnd('"');
        return $"{warning[..at]} would be rewritten to \"{twin}\" if its registry has it; not verified offline";
    }
}
