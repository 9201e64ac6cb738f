using System.Text;
using System.Text.Json;

namespace AdmissionGuard.Registry;

/// <summary>
/// Credentials read from docker config JSON: <c>~/.docker/config.json</c>, the <c>.dockerconfigjson</c> of a
/// pull secret (same format), or the legacy <c>.dockercfg</c> (just the <c>auths</c> map). Only <c>auths</c> is
/// read; credential helpers (<c>credsStore</c>, <c>credHelpers</c>) run programs and are deliberately not supported.
/// </summary>
/// <remarks>
/// Keys match images the way the kubelet matches them: the host has the same number of labels, each label may
/// be a glob (<c>*.example.com</c>), a port must be the same, and a key with a path (<c>ghcr.io/team</c>) matches
/// only repositories under that path. The most specific key comes first.
/// </remarks>
internal sealed class RegistryCredentials
{
    public static readonly RegistryCredentials None = new([]);

    private readonly Entry[] _entries;

    private RegistryCredentials(Entry[] entries) => _entries = entries;

    public int Count => _entries.Length;

    public static RegistryCredentials FromFile(string? path) =>
        path is null ? None : Parse(File.ReadAllText(path));

    /// <summary>A docker config (<c>{"auths": {...}}</c>): a config file or a <c>kubernetes.io/dockerconfigjson</c> secret.</summary>
    /// <exception cref="FormatException">The JSON is not a docker config.</exception>
    public static RegistryCredentials Parse(string json) => Read(json, legacy: false);

    /// <summary>The legacy format of <c>kubernetes.io/dockercfg</c> secrets: the <c>auths</c> map itself.</summary>
    /// <exception cref="FormatException">The JSON is not a docker config.</exception>
    public static RegistryCredentials ParseLegacy(string json) => Read(json, legacy: true);

    private static RegistryCredentials Read(string json, bool legacy)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException("docker config is not JSON: " + e.Message, e);
        }

        var entries = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        using (document)
        {
            var root = document.RootElement;
            JsonElement auths;
            if (legacy)
            {
                auths = root;
            }
            else if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("auths", out auths))
            {
                return None;
            }

            if (auths.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException(legacy ? "docker config: not an object of registries" : "docker config: \"auths\" is not an object");
            }

            foreach (var item in auths.EnumerateObject())
            {
                var credential = ReadEntry(item.Name, item.Value);
                if (credential is not null && Entry.TryCreate(item.Name, credential) is { } entry)
                {
                    entries[entry.Key] = entry; // the last of two spellings of one key wins, as in docker
                }
            }
        }

        return new RegistryCredentials(Sort(entries.Values));
    }

    /// <summary>The credential of <paramref name="registry"/> (<c>host[:port]</c> as in a normalized reference) for <paramref name="repository"/>: the most specific match.</summary>
    public RegistryCredential? Find(string registry, string repository = "")
    {
        foreach (var entry in _entries)
        {
            if (entry.Matches(registry, repository))
            {
                return entry.Credential;
            }
        }

        return null;
    }

    /// <summary>Every credential that matches, most specific first (the kubelet tries each in turn).</summary>
    public void AddMatches(string registry, string repository, List<RegistryCredential> into)
    {
        foreach (var entry in _entries)
        {
            if (entry.Matches(registry, repository) && !into.Contains(entry.Credential))
            {
                into.Add(entry.Credential);
            }
        }
    }

    /// <summary>These credentials with <paramref name="other"/>'s laid over them (a pull secret over the node file).</summary>
    public RegistryCredentials Merge(RegistryCredentials other)
    {
        var merged = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in _entries.Concat(other._entries))
        {
            merged[entry.Key] = entry;
        }

        return new RegistryCredentials(Sort(merged.Values));
    }

    // Longer paths are more specific; among equal paths, a host without globs is.
    private static Entry[] Sort(IEnumerable<Entry> entries) =>
        [.. entries.OrderByDescending(e => e.Path.Length).ThenBy(e => e.HasGlob).ThenBy(e => e.Key, StringComparer.Ordinal)];

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
    internal static string NormalizeHost(string key) => Split(key).Host;

    /// <summary>A key's host (lower case, Docker Hub's aliases as docker.io) and repository path prefix.</summary>
    private static (string Host, string Path) Split(string key)
    {
        var rest = key.Trim();
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            rest = rest[(scheme + 3)..];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var host = (slash >= 0 ? rest[..slash] : rest).ToLowerInvariant();
        var path = slash >= 0 ? rest[(slash + 1)..].Trim('/') : "";
        // "/v1/" and "/v2/" are API versions that docker login writes, not repository paths.
        if (path is "v1" or "v2")
        {
            path = "";
        }

        host = host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? "docker.io" : host;
        return (host, path);
    }

    private sealed record Entry(string Key, string[] Labels, string? Port, string Path, bool HasGlob, RegistryCredential Credential)
    {
        public static Entry? TryCreate(string key, RegistryCredential credential)
        {
            var (host, path) = Split(key);
            var colon = PortColon(host);
            var port = colon >= 0 ? host[(colon + 1)..] : null;
            var name = colon >= 0 ? host[..colon] : host;
            if (name.Length == 0)
            {
                return null;
            }

            return new Entry(path.Length == 0 ? host : host + "/" + path, name.Split('.'), port, path, name.Contains('*', StringComparison.Ordinal), credential);
        }

        public bool Matches(string registry, string repository)
        {
            var colon = PortColon(registry);
            var port = colon >= 0 ? registry.AsSpan(colon + 1) : [];
            if (!port.Equals(Port, StringComparison.Ordinal))
            {
                return false;
            }

            // A path matches on segment boundaries: "team" covers "team" and "team/app", not "teammate".
            if (Path.Length != 0 && (!repository.StartsWith(Path, StringComparison.Ordinal)
                || repository.Length != Path.Length && repository[Path.Length] != '/'))
            {
                return false;
            }

            var name = colon >= 0 ? registry.AsSpan(0, colon) : registry.AsSpan();
            var label = 0;
            foreach (var range in name.Split('.'))
            {
                if (label >= Labels.Length || !Glob(Labels[label++], name[range]))
                {
                    return false;
                }
            }

            return label == Labels.Length;
        }

        // The colon before a port, not one inside a bracketed IPv6 address.
        private static int PortColon(string host)
        {
            var colon = host.LastIndexOf(':');
            return colon > host.LastIndexOf(']') ? colon : -1;
        }

        // filepath.Match with only "*" (what registry host globs use), case-insensitive like host names.
        private static bool Glob(string pattern, ReadOnlySpan<char> text)
        {
            var star = pattern.IndexOf('*', StringComparison.Ordinal);
            if (star < 0)
            {
                return text.Equals(pattern, StringComparison.OrdinalIgnoreCase);
            }

            var head = pattern.AsSpan(0, star);
            if (!text.StartsWith(head, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var tail = pattern[(star + 1)..];
            for (var i = head.Length; i <= text.Length; i++)
            {
                if (Glob(tail, text[i..]))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
