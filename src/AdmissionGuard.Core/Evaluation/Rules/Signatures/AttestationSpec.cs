using System.Text.Json.Serialization;

namespace AdmissionGuard.Evaluation.Rules.Signatures;

/// <summary>One entry of <c>attestations</c>: an in-toto predicate type that must be attested for the digest.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class AttestationSpec
{
    public string? PredicateType { get; set; }
}
