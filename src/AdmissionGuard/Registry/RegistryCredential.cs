namespace AdmissionGuard.Registry;

/// <summary>A username and password (or token) for one registry. Never logged.</summary>
internal sealed record RegistryCredential(string Username, string Password)
{
    public override string ToString() => $"RegistryCredential({Username}, ***)";
}
