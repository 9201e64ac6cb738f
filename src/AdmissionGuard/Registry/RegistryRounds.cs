using AdmissionGuard.Evaluation;

namespace AdmissionGuard.Registry;

/// <summary>
/// Judging with facts that may still be missing: evaluate, ask the registry for what the verdict lacked (tags to resolve,
/// signatures to fetch and verify) within one budget, evaluate again. Up to three rounds, because a signature needs its
/// tag's digest first. The webhook and <c>check --registry</c> both judge through here, so CI and the cluster agree.
/// </summary>
internal static class RegistryRounds
{
    /// <summary>
    /// With <paramref name="eachRound"/>, every round's lookups may wait the whole <paramref name="budget"/> (<c>check
    /// --registry</c>: each lookup waits up to <c>--registry-timeout</c>); otherwise all rounds share it (admission).
    /// </summary>
    /// <returns>The last verdict, or null when <paramref name="cancellationToken"/> ended a wait.</returns>
    public static Task<Verdict?> EvaluateAsync(
        Func<Verdict> evaluate, Webhooks.IRegistryWarmer warmer, SignatureRequestFacts? signatures, PullScope scope, TimeSpan budget, bool eachRound, TimeProvider time, CancellationToken cancellationToken) =>
        ContinueAsync(evaluate(), evaluate, warmer, signatures, scope, budget, eachRound, time, cancellationToken);

    /// <summary>Whether <paramref name="verdict"/> lacked facts the registry could give: then another round may change it.</summary>
    public static bool NeedsRound(Verdict verdict, SignatureRequestFacts? signatures) =>
        verdict.UnverifiedReferences.Count != 0 || signatures?.HasMisses == true;

    /// <summary>As <see cref="EvaluateAsync"/> from the first verdict, <paramref name="first"/>, already made.</summary>
    public static async Task<Verdict?> ContinueAsync(
        Verdict first, Func<Verdict> evaluate, Webhooks.IRegistryWarmer warmer, SignatureRequestFacts? signatures, PullScope scope, TimeSpan budget, bool eachRound, TimeProvider time, CancellationToken cancellationToken)
    {
        var verdict = first;
        var budgetEnds = time.GetUtcNow() + budget;
        for (var round = 0; round < 3; round++)
        {
            if (!NeedsRound(verdict, signatures))
            {
                break;
            }

            // The first round always asks (a zero budget starts lookups without waiting), later ones only while budget remains.
            var remaining = round == 0 || eachRound ? budget : budgetEnds - time.GetUtcNow();
            if (round != 0 && remaining <= TimeSpan.Zero)
            {
                break;
            }

            FlightWait waited;
            using (var wait = verdict.UnverifiedReferences.Count != 0 ? Telemetry.Tracing.Source.StartActivity(Telemetry.Tracing.RegistryWait) : null)
            {
                wait?.SetTag("admissionguard.references", verdict.UnverifiedReferences.Count);
                wait?.SetTag("admissionguard.budget_ms", remaining.TotalMilliseconds);
                waited = await warmer.EnsureAllAsync(verdict.UnverifiedReferences, scope, remaining, cancellationToken).ConfigureAwait(false);
            }

            if (waited == FlightWait.Canceled)
            {
                return null;
            }

            if (signatures is not null)
            {
                using var wait = signatures.HasMisses ? Telemetry.Tracing.Source.StartActivity(Telemetry.Tracing.SignatureWait) : null;
                var signatureBudget = eachRound ? budget : budgetEnds - time.GetUtcNow();
                wait?.SetTag("admissionguard.budget_ms", signatureBudget.TotalMilliseconds);
                if (await signatures.EnsureMissesAsync(signatureBudget, cancellationToken).ConfigureAwait(false) == FlightWait.Canceled)
                {
                    return null;
                }
            }

            verdict = evaluate();
        }

        return verdict;
    }
}
