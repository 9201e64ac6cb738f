namespace AdmissionGuard.Policies;

public enum PolicyMode
{
    /// <summary>Deny the request.</summary>
    Enforce,
    /// <summary>Allow with kubectl warnings.</summary>
    Warn,
    /// <summary>Allow and record in audit annotations only.</summary>
    Audit,
}
