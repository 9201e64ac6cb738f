using System.Security.Cryptography;
using System.Text;

namespace AdmissionGuard.Registry;

/// <summary>A username and password (or token) for one registry. Never logged.</summary>
internal sealed record RegistryCredential(string Username, string Password)
{
    /// <summary>
    /// Names this credential in cache keys (facts, bearer tokens) without carrying the secret: a truncated
    /// SHA-256 of user and password. Two pull secrets with the same login share answers; different logins never do.
    /// </summary>
    public string Id { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Username + "\0" + Password)).AsSpan(0, 12));

    public override string ToString() => $"RegistryCredential({Username}, ***)";
}
