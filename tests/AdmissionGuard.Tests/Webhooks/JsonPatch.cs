using System.Globalization;
using System.Text.Json.Nodes;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>
/// A minimal RFC 6902 (test, replace, add) over RFC 6901 pointers, written independently of the server's
/// patch builder so a test can apply the server's patch the way the API server would.
/// </summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonArray patch)
    {
        var result = document.DeepClone();
        foreach (var op in patch.Select(o => o ?? throw new InvalidOperationException("null operation")))
        {
            var name = (string?)op["op"] ?? throw new InvalidOperationException("operation without op");
            var path = (string?)op["path"] ?? throw new InvalidOperationException($"{name} without path");
            var value = op.AsObject().TryGetPropertyValue("value", out var v) ? v : throw new InvalidOperationException($"{name} {path} without value");
            switch (name)
            {
                case "test":
                    var actual = Resolve(result, path);
                    if (!JsonNode.DeepEquals(actual, value))
                    {
                        throw new InvalidOperationException($"test failed at {path}: {actual?.ToJsonString()} != {value?.ToJsonString()}");
                    }

                    break;
                case "replace":
                    Set(ref result, path, value?.DeepClone(), mustExist: true);
                    break;
                case "add":
                    Set(ref result, path, value?.DeepClone(), mustExist: false);
                    break;
                default:
                    throw new InvalidOperationException($"unsupported op {name}");
            }
        }

        return result;
    }

    /// <summary>RFC 6901: split on "/", then "~1" to "/" and only then "~0" to "~".</summary>
    public static List<string> Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new InvalidOperationException($"pointer \"{pointer}\" does not start with /");
        }

        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
    }

    public static JsonNode? Resolve(JsonNode? node, string pointer)
    {
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var child) => child,
                JsonArray a when Index(token, a.Count, allowEnd: false) is var i => a[i],
                _ => throw new InvalidOperationException($"{pointer}: no member \"{token}\""),
            };
        }

        return node;
    }

    private static void Set(ref JsonNode root, string pointer, JsonNode? value, bool mustExist)
    {
        var tokens = Tokens(pointer);
        if (tokens.Count == 0)
        {
            root = value ?? throw new InvalidOperationException("cannot replace the root with null");
            return;
        }

        var parent = Resolve(root, "/" + string.Join('/', tokens.Take(tokens.Count - 1).Select(t => t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                if (mustExist && !o.ContainsKey(last))
                {
                    throw new InvalidOperationException($"replace {pointer}: no member \"{last}\"");
                }

                o[last] = value;
                break;
            case JsonArray a when mustExist:
                var i = Index(last, a.Count, allowEnd: false);
                a[i] = value;
                break;
            case JsonArray a:
                a.Insert(last == "-" ? a.Count : Index(last, a.Count, allowEnd: true), value);
                break;
            default:
                throw new InvalidOperationException($"{pointer}: parent is not a container");
        }
    }

    private static int Index(string token, int count, bool allowEnd)
    {
        if (token.Length == 0 || (token.Length > 1 && token[0] == '0') || !token.All(char.IsAsciiDigit)
            || !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i > count || (i == count && !allowEnd))
        {
            throw new InvalidOperationException($"\"{token}\" is not an index into an array of {count}");
        }

        return i;
    }
}
