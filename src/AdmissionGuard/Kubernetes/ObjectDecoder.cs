using System.Text.Json;
using AdmissionGuard.Policies;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Kubernetes;

/// <summary>
/// Decodes our kinds from the API server's JSON, as the watchers and the policy webhook both need it: one decoder,
/// so an object the webhook lets through is one the watch can read, and the errors read the same in both places.
/// </summary>
internal static class ObjectDecoder
{
    public static readonly Func<JsonElement, HardenedImageSource> HardenedImageSource = e => e.Deserialize(AgJsonContext.Default.HardenedImageSource)!;

    public static readonly Func<JsonElement, ImagePolicy> ImagePolicy = e => e.Deserialize(AgJsonContext.Default.ImagePolicy)!;

    /// <summary>The decoded value, or null with a kubectl-style error (<c>spec.rules.tags.disallowed</c>, <c>expected a list of strings</c>).</summary>
    public static T? TryDecode<T>(Func<JsonElement, T> decode, JsonElement element, out string? error, out string? field)
        where T : class
    {
        try
        {
            error = null;
            field = null;
            return decode(element);
        }
        catch (JsonException e)
        {
            // Never a .NET type name.
            var (at, message) = FieldErrors.Split(e);
            error = message;
            field = at.Length == 0 ? "(object)" : at;
        }
        catch (CheckFailedException e)
        {
            var colon = e.Message.IndexOf(": ", StringComparison.Ordinal);
            field = colon > 0 ? e.Message[..colon] : "(object)";
            error = colon > 0 ? e.Message[(colon + 2)..] : e.Message;
        }
        catch (InvalidDataException e)
        {
            error = e.Message;
            field = "(object)";
        }

        return null;
    }
}

/// <summary>An object that decodes but fails a check; the message starts with the field at fault (<c>spec.digest: ...</c>).</summary>
internal sealed class CheckFailedException(string message) : Exception(message);
