using AdmissionGuard.Evaluation;

namespace AdmissionGuard.Registry;

/// <summary>
/// Judging with facts that may still be missing: evaluate, ask the registry for what the verdict lacked (tags to resolve,
/// signatures to fetch and verify) within one budget, evaluate again. Up to three rounds, because a signature needs its
/// tag's digest first. The webhook uses it; <c>check --registry</c> can use the same, so CI and the cluster agree.
/// </summary>
internal static class RegistryRounds
{
    /// <returns>The last verdict, or null when <paramref name="cancellationToken"/> (the admission deadline) ended a wait.</returns>
    public static async Task<Verdict?> EvaluateAsync(
        Func<Verdict> evaluate, Webhooks.IRegistryWarmer warmer, SignatureRequestFacts? signatures, PullScope scope, TimeSpan budget, TimeProvider time, CancellationToken cancellationToken)
    {
        var verdict = evaluate();
        var budgetEnds = time.GetUtcNow() + budget;
        for (var round = 0; round < 3; round++)
        {
            if (verdict.UnverifiedReferences.Count == 0 && signatures?.HasMisses != true)
            {
                break;
            }

            // The first round always asks (a zero budget starts lookups without waiting), later ones only while budget remains.
            var remaining = round == 0 ? budget : budgetEnds - time.GetUtcNow();
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
                wait?.SetTag("admissionguard.budget_ms", (budgetEnds - time.GetUtcNow()).TotalMilliseconds);
                if (await signatures.EnsureMissesAsync(budgetEnds - time.GetUtcNow(), cancellationToken).ConfigureAwait(false) == FlightWait.Canceled)
                {
                    return null;
                }
            }

            verdict = evaluate();
        }

        return verdict;
    }
}
