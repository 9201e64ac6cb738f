namespace AdmissionGuard.Signatures;

/// <summary>A public key kept in a Secret: <c>secretRef: {namespace, name, key}</c>.</summary>
public sealed record SecretKeyReference(string Namespace, string Name, string Key)
{
    public override string ToString() => $"{Namespace}/{Name}[{Key}]";
}
