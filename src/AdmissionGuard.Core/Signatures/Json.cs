using System.Text.Json;

namespace AdmissionGuard.Signatures;

/// <summary>Small readers over untrusted JSON: a wrong shape is a false, never an exception.</summary>
internal static class Json
{
    public static bool TryString(JsonElement element, string name, out string value)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            value = property.GetString()!;
            return true;
        }

        value = "";
        return false;
    }

    public static bool TryBase64(JsonElement element, string name, out byte[] value)
    {
        value = [];
        return TryString(element, name, out var text) && TryBase64(text, out value);
    }

    /// <summary>Decodes base64 text; empty, null or malformed text is a false.</summary>
    public static bool TryBase64(string? text, out byte[] value)
    {
        value = [];
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        try
        {
            value = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static bool TryObject(JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Follows a path of object properties (<c>spec</c>, <c>data</c>, <c>hash</c>, ...).</summary>
    public static bool TryPath(JsonElement element, out JsonElement value, params string[] path)
    {
        value = element;
        foreach (var name in path)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
            {
                return false;
            }
        }

        return true;
    }
}
