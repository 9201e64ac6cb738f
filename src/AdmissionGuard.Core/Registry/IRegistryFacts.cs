namespace AdmissionGuard.Registry;

/// <summary>Registry facts as known now, without I/O: the engine reads, background work fills.</summary>
public interface IRegistryFacts
{
    /// <summary>Existence and digest of a normalized reference (<c>registry/path:tag</c>).</summary>
    RegistryFact Lookup(string normalizedReference);

    /// <summary>True when no registry is consulted at all (<c>check</c> without <c>--registry</c>): signatures are not evaluated.</summary>
    bool Offline => false;

    /// <summary>What is known of a digest's signatures under a rule's keys; facts without a signature cache know nothing yet.</summary>
    Signatures.SignatureFact Signatures(Signatures.SignatureQuery query) => AdmissionGuard.Signatures.SignatureFact.Unknown;
}
