using AdmissionGuard.Evaluation;
using AdmissionGuard.Registry;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Commands;

/// <summary>
/// <c>check --registry</c>: judges each object as <c>serve</c> does, with the same caches (registry facts, signature
/// fetching and verification) and the same rounds (<see cref="RegistryRounds"/>), each lookup waiting up to
/// <c>--registry-timeout</c>. Unlike admission, CI has no next request to pick up a late answer: what is still unanswered
/// after the wait is judged as unreachable, never as "not checked yet".
/// </summary>
internal sealed class RegistryCheck : IDisposable
{
    private readonly OciRegistryClient _client;
    private readonly RegistryFactCache _registry;
    private readonly SignatureFactCache _signatures;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public RegistryCheck(RegistryOptions options, TimeSpan timeout, TimeProvider time)
    {
        _client = new OciRegistryClient(options, RegistryCredentials.FromFile(options.DockerConfigPath), time);
        _registry = new RegistryFactCache(options, _client, time);
        // No cluster: keys in Secrets cannot be read, and a denial that needs one says so.
        _signatures = SignatureFactCache.Create(_client, options, NoSecretKeys.Instance, time);
        _timeout = timeout;
        _time = time;
    }

    /// <summary>The mutating verdict (the rewrites a cluster would make) and the validating one, after asking registries.</summary>
    public async Task<(Verdict Mutation, Verdict Validation)> EvaluateAsync(PolicyBundle bundle, EvaluationInput input, CancellationToken cancellationToken)
    {
        var scope = PullScope.Default;
        var facts = new SignatureRequestFacts(_registry, _signatures, scope);
        var engine = new PolicyEngine(bundle.Scans, facts, _time);
        foreach (var purpose in (EvaluationPurpose[])[EvaluationPurpose.Mutate, EvaluationPurpose.Validate])
        {
            await RegistryRounds.EvaluateAsync(() => engine.Evaluate(bundle.Snapshot, input, purpose), _registry, facts, scope, _timeout, eachRound: true, _time, cancellationToken).ConfigureAwait(false);
        }

        // A wait the caller canceled ends the rounds with no verdict (null); check stops rather than judge on partial facts.
        cancellationToken.ThrowIfCancellationRequested();

        var answered = new PolicyEngine(bundle.Scans, new Answered(facts, _timeout), _time);
        return (answered.Evaluate(bundle.Snapshot, input, EvaluationPurpose.Mutate), answered.Evaluate(bundle.Snapshot, input, EvaluationPurpose.Validate));
    }

    public void Dispose()
    {
        _signatures.Dispose();
        _registry.Dispose();
        _client.Dispose();
    }

    /// <summary>The facts after waiting: a lookup that gave no answer within the timeout failed, as far as CI can tell.</summary>
    private sealed class Answered(IRegistryFacts facts, TimeSpan timeout) : IRegistryFacts
    {
        public RegistryFact Lookup(string normalizedReference)
        {
            var fact = facts.Lookup(normalizedReference);
            return fact.State == RegistryFactState.Unknown ? new RegistryFact(RegistryFactState.Unreachable, null) : fact;
        }

        public SignatureFact Signatures(SignatureQuery query)
        {
            var fact = facts.Signatures(query);
            return fact.State == SignatureState.Unknown ? SignatureFact.Unreachable($"no answer within {timeout.TotalSeconds:0.###}s") : fact;
        }
    }
}
