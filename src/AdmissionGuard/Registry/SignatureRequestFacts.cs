using AdmissionGuard.Images;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Registry;

/// <summary>
/// The facts one admission reads: registry facts as they are, plus signature outcomes with the credentials the workload
/// pulls with. Records which signature questions had no answer yet, so the caller can ask them within its budget and judge
/// again. One instance per request; not shared.
/// </summary>
internal sealed class SignatureRequestFacts(IRegistryFacts registry, SignatureFactCache signatures, PullScope scope) : IRegistryFacts
{
    private readonly List<(SignatureQuery, RegistryCredential?)> _missed = [];

    public bool HasMisses => _missed.Count != 0;

    public RegistryFact Lookup(string normalizedReference) => registry.Lookup(normalizedReference);

    public RegistryFact Lookup(ImageReference image) => registry.Lookup(image);

    public SignatureFact Signatures(SignatureQuery query)
    {
        var credentials = Credentials(query);
        SignatureFact? unknown = null, invalid = null, unsigned = null, unreachable = null;
        foreach (var credential in credentials)
        {
            var fact = signatures.Lookup(query, credential);
            switch (fact.State)
            {
                case SignatureState.Verified:
                    return fact;
                case SignatureState.Unknown:
                    unknown ??= fact;
                    lock (_missed)
                    {
                        _missed.Add((query, credential));
                    }

                    break;
                case SignatureState.Invalid:
                    invalid ??= fact;
                    break;
                case SignatureState.Unsigned:
                    unsigned ??= fact;
                    break;
                default:
                    unreachable ??= fact;
                    break;
            }
        }

        return unknown ?? invalid ?? unsigned ?? unreachable ?? SignatureFact.Unknown;
    }

    /// <summary>Asks what was missed, at most <paramref name="budget"/>, and forgets the misses.</summary>
    public Task<FlightWait> EnsureMissesAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        (SignatureQuery, RegistryCredential?)[] missed;
        lock (_missed)
        {
            missed = [.. _missed];
            _missed.Clear();
        }

        return signatures.EnsureAllAsync(missed, budget, cancellationToken);
    }

    private static readonly RegistryCredential?[] DefaultCredentials = [null];

    private RegistryCredential?[] Credentials(SignatureQuery query)
    {
        // The signature repository is already normalized (registry/path): split it rather than parse it again.
        var slash = query.Repository.IndexOf('/', StringComparison.Ordinal);
        if (scope.IsDefault || slash <= 0)
        {
            return DefaultCredentials;
        }

        var queries = new List<RegistryQuery>(2);
        scope.AddQueries(query.Repository + "@" + query.Digest, query.Repository[..slash], query.Repository[(slash + 1)..], queries);
        return [.. queries.Select(q => q.Credential).Distinct()];
    }
}
