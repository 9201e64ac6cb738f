using System.Diagnostics;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Images;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Signatures;

namespace AdmissionGuard.Telemetry;

/// <summary>
/// The facts one traced admission reads, counted: registry and signature answers found in the cache (hits) or not yet
/// known (misses, which the request then waits for within its budget), and scans found or missing. Made only when the
/// admission span records, so an untraced request reads its facts directly.
/// </summary>
internal sealed class TracedFacts(IRegistryFacts registry, IScanFacts scans) : IRegistryFacts, IScanFacts
{
    private int registryHits, registryMisses, signatureHits, signatureMisses, scansFound, scansMissing;
    private int round;

    public int Count => scans.Count;

    public bool Offline => registry.Offline;

    public RegistryFact Lookup(string normalizedReference) => Counted(registry.Lookup(normalizedReference));

    // Forwarded as it is, never through Lookup(string): a scoped cache answers a parsed image with its workload's credentials.
    public RegistryFact Lookup(ImageReference image) => Counted(registry.Lookup(image));

    public SignatureFact Signatures(SignatureQuery query)
    {
        var fact = registry.Signatures(query);
        Interlocked.Increment(ref fact.State == SignatureState.Unknown ? ref signatureMisses : ref signatureHits);
        return fact;
    }

    public ScanRecord? Find(ImageReference image, string? digest)
    {
        var scan = scans.Find(image, digest);
        Interlocked.Increment(ref scan is null ? ref scansMissing : ref scansFound);
        return scan;
    }

    /// <summary>
    /// One evaluation as a child span with what it read. The first round's figures also go on the admission span: they
    /// say what the cache held when the request arrived.
    /// </summary>
    public Verdict Evaluate(Activity admission, Func<Verdict> evaluate)
    {
        registryHits = registryMisses = signatureHits = signatureMisses = scansFound = scansMissing = 0;
        var number = ++round;
        Verdict verdict;
        using (var span = Tracing.Source.StartActivity(Tracing.Evaluate))
        {
            verdict = evaluate();
            if (span is not null)
            {
                span.SetTag("admissionguard.round", number);
                Tag(span);
                span.SetTag("admissionguard.unverified_references", verdict.UnverifiedReferences.Count);
            }
        }

        if (number == 1)
        {
            Tag(admission);
        }

        return verdict;
    }

    private RegistryFact Counted(RegistryFact fact)
    {
        Interlocked.Increment(ref fact.State == Registry.RegistryFactState.Unknown ? ref registryMisses : ref registryHits);
        return fact;
    }

    private void Tag(Activity activity)
    {
        activity.SetTag("admissionguard.registry.cache_hits", registryHits);
        activity.SetTag("admissionguard.registry.cache_misses", registryMisses);
        activity.SetTag("admissionguard.signature.cache_hits", signatureHits);
        activity.SetTag("admissionguard.signature.cache_misses", signatureMisses);
        activity.SetTag("admissionguard.scan.found", scansFound);
        activity.SetTag("admissionguard.scan.missing", scansMissing);
    }
}
