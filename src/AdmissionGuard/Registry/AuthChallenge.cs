using System.Net.Http.Headers;

namespace AdmissionGuard.Registry;

/// <summary>A <c>WWW-Authenticate</c> challenge from a registry: Bearer (realm, service) or Basic.</summary>
internal sealed record AuthChallenge(string Scheme, string? Realm, string? Service)
{
    public bool IsBearer => string.Equals(Scheme, "Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => string.Equals(Scheme, "Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first Bearer or Basic challenge, Bearer preferred; null when there is none.</summary>
    public static AuthChallenge? From(HttpHeaderValueCollection<AuthenticationHeaderValue> headers)
    {
        AuthChallenge? basic = null;
        foreach (var header in headers)
        {
            if (string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                var parameters = ParseParameters(header.Parameter);
                parameters.TryGetValue("realm", out var realm);
                parameters.TryGetValue("service", out var service);
                if (!string.IsNullOrEmpty(realm))
                {
                    return new AuthChallenge("Bearer", realm, service);
                }
            }
            else if (string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
            {
                basic ??= new AuthChallenge("Basic", null, null);
            }
        }

        return basic;
    }

    /// <summary>Parses <c>key="value",key=value</c> auth-params; quoted values may contain commas.</summary>
    internal static Dictionary<string, string> ParseParameters(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(text))
        {
            return result;
        }

        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var eq = text.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var key = text[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var sb = new System.Text.StringBuilder();
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    sb.Append(text[i]);
                    i++;
                }

                i++;
                value = sb.ToString();
            }
            else
            {
                var comma = text.IndexOf(',', i);
                var end = comma < 0 ? text.Length : comma;
                value = text[i..end].Trim();
                i = end;
            }

            if (key.Length > 0)
            {
                result[key] = value;
            }
        }

        return result;
    }
}
