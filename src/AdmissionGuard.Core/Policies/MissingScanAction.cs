namespace AdmissionGuard.Policies;

public enum MissingScanAction
{
    Deny,
    Warn,
    Allow,
}
