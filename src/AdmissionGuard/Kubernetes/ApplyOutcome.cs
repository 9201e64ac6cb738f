namespace AdmissionGuard.Kubernetes;

/// <summary>What applying an object did, in kubectl's words.</summary>
internal enum ApplyOutcome
{
    /// <summary>It did not exist and was created.</summary>
    Created,

    /// <summary>It existed and was updated.</summary>
    Configured,

    /// <summary>It existed with the same spec; nothing was written.</summary>
    Unchanged,
}
