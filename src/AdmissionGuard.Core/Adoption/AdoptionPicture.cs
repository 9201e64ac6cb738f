namespace AdmissionGuard.Adoption;

/// <summary>The adoption picture of a set of judged workloads, computed by <see cref="AdoptionAggregator"/>.</summary>
/// <param name="Total">The figures over every namespace (its <c>Name</c> is empty).</param>
/// <param name="Namespaces">Every namespace, most non-hardened containers first, then by name.</param>
/// <param name="FixFirst">Non-hardened images, highest score first, at most <see cref="AdoptionAggregator.FixFirstLimit"/>.</param>
/// <param name="FixFirstTotal">How many distinct non-hardened images there are in all.</param>
/// <param name="ExpiringExceptions">Exceptions in force that end within <see cref="AdoptionAggregator.ExpiryWindow"/>, soonest first.</param>
/// <param name="NextException">The exception in force that ends soonest, whenever that is (null when there is none).</param>
/// <param name="Unparseable">Image strings that do not parse, each once, with where they were found (at most 50).</param>
public sealed record AdoptionPicture(
    DateTimeOffset GeneratedAt,
    int Workloads,
    NamespaceAdoption Total,
    VulnerabilityCounts AvoidedByRewrites,
    IReadOnlyList<NamespaceAdoption> Namespaces,
    IReadOnlyList<ImageToFix> FixFirst,
    int FixFirstTotal,
    IReadOnlyList<ExceptionExpiry> ExpiringExceptions,
    ExceptionExpiry? NextException,
    IReadOnlyList<UnparseableImage> Unparseable);
