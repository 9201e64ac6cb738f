using System.Text;
using System.Text.Json;

namespace AdmissionGuard.Registry;

/// <summary>
/// Credentials per registry host, read from docker config JSON: <c>~/.docker/config.json</c> or the
/// <c>.dockerconfigjson</c> of a pull secret (same format). Only <c>auths</c> is read; credential helpers
/// (<c>credsStore</c>, <c>credHelpers</c>) run programs and are deliberately not supported.
/// </summary>
internal sealed class RegistryCredentials
{
    public static readonly RegistryCredentials None = new(new Dictionary<string, RegistryCredential>());

    private readonly Dictionary<string, RegistryCredential> _byHost;

    private RegistryCredentials(Dictionary<string, RegistryCredential> byHost) => _byHost = byHost;

    public int Count => _byHost.Count;

    public static RegistryCredentials FromFile(string? path) =>
        path is null ? None : Parse(File.ReadAllText(path));

    /// <exception cref="FormatException">The JSON is not a docker config.</exception>
    public static RegistryCredentials Parse(string json)
    {
        var byHost = new Dictionary<string, RegistryCredential>(StringComparer.OrdinalIgnoreCase);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException("docker config is not JSON: " + e.Message, e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("auths", out var auths))
            {
                return new RegistryCredentials(byHost);
            }

            if (auths.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("docker config: \"auths\" is not an object");
            }

            foreach (var entry in auths.EnumerateObject())
            {
                var credential = ReadEntry(entry.Name, entry.Value);
                if (credential is not null)
                {
                    byHost[NormalizeHost(entry.Name)] = credential;
                }
            }
        }

        return new RegistryCredentials(byHost);
    }

    /// <summary>Credentials of <paramref name="registry"/> (<c>host[:port]</c> as in a normalized reference).</summary>
    public RegistryCredential? Find(string registry) =>
        _byHost.TryGetValue(registry, out var credential) ? credential : null;

    /// <summary>These credentials with <paramref name="other"/>'s laid over them (a pull secret over the node file).</summary>
    public RegistryCredentials Merge(RegistryCredentials other)
    {
        var merged = new Dictionary<string, RegistryCredential>(_byHost, StringComparer.OrdinalIgnoreCase);
        foreach (var (host, credential) in other._byHost)
        {
            merged[host] = credential;
        }

        return new RegistryCredentials(merged);
    }

    private static RegistryCredential? ReadEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"docker config: auths[\"{name}\"] is not an object");
        }

        if (value.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.String
            && auth.GetString() is { Length: > 0 } encoded)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException e)
            {
                throw new FormatException($"docker config: auths[\"{name}\"].auth is not base64", e);
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new FormatException($"docker config: auths[\"{name}\"].auth is not user:password");
            }

            return new RegistryCredential(decoded[..colon], decoded[(colon + 1)..]);
        }

        if (value.TryGetProperty("username", out var user) && user.GetString() is { Length: > 0 } username
            && value.TryGetProperty("password", out var pass) && pass.GetString() is { } password)
        {
            return new RegistryCredential(username, password);
        }

        return null;
    }

    // Docker writes keys as "https://index.docker.io/v1/", "registry.example.com" or
    // "https://registry.example.com:5000/"; references carry only host[:port].
    internal static string NormalizeHost(string key)
    {
        var host = key.Trim();
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            host = host[..slash];
        }

        host = host.ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? "docker.io" : host;
    }
}
