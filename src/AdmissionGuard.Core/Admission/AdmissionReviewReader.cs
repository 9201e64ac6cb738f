using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace AdmissionGuard.Admission;

/// <summary>
/// The webhook's decoder: one forward pass of <see cref="Utf8JsonReader"/> over the review that builds only what
/// admission reads (uid, kind, operation, names, labels and every image-bearing field) and skips the rest
/// (managedFields, annotations, status, env, resources, userInfo...) without materialising it. A volume without an
/// image is read as a null entry, so volume indexes still match the object's.
/// </summary>
/// <remarks>
/// It takes the exact shape the API server sends. Anything else (malformed JSON, a type the field does not take, a
/// repeated property, a null list entry) makes <see cref="TryRead"/> return false, and the caller decodes with the
/// source-generated serializer instead, so odd input keeps that serializer's semantics and error messages.
/// The serializer itself is not the fast path because it allocates its own read stack and builds every property of
/// the typed subset, about a third of a small review's decoding allocation.
/// </remarks>
public static class AdmissionReviewReader
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    // Throws on invalid UTF-8, as the reader's GetString does.
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads <paramref name="json"/> as the API server sends a review; false (and null) for anything else.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, [NotNullWhen(true)] out AdmissionReview? review)
    {
        review = null;
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var result = new AdmissionReview();
            var seen = 0;
            while (NextProperty(ref reader))
            {
                bool ok;
                if (reader.ValueTextEquals("apiVersion"u8))
                {
                    ok = First(ref seen, 1) & KnownString(ref reader, out var value);
                    result.ApiVersion = value;
                }
                else if (reader.ValueTextEquals("kind"u8))
                {
                    ok = First(ref seen, 2) & KnownString(ref reader, out var value);
                    result.Kind = value;
                }
                else if (reader.ValueTextEquals("request"u8))
                {
                    ok = First(ref seen, 4) & Request(ref reader, out var request);
                    result.Request = request;
                }
                else if (reader.ValueTextEquals("response"u8))
                {
                    // A review sent to us carries no response; one that does is not the API server's: let the serializer judge it.
                    ok = false;
                }
                else
                {
                    ok = reader.TrySkip();
                }

                if (!ok)
                {
                    return false;
                }
            }

            // Nothing may follow the review (the reader throws on a second value).
            if (reader.Read())
            {
                return false;
            }

            review = result;
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // InvalidOperationException and ArgumentException: invalid UTF-8 in a string read. The serializer reports these properly.
            return false;
        }
    }

    private static bool Request(ref Utf8JsonReader reader, out AdmissionRequest? request)
    {
        request = null;
        if (!Start(ref reader, JsonTokenType.StartObject, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new AdmissionRequest();
        var seen = 0;
        while (NextProperty(ref reader))
        {
            bool ok;
            if (reader.ValueTextEquals("uid"u8))
            {
                ok = First(ref seen, 1) & String(ref reader, out var value);
                result.Uid = value;
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                ok = First(ref seen, 2) & Kind(ref reader, out var value);
                result.Kind = value;
            }
            else if (reader.ValueTextEquals("subResource"u8))
            {
                ok = First(ref seen, 4) & String(ref reader, out var value);
                result.SubResource = value;
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                ok = First(ref seen, 8) & String(ref reader, out var value);
                result.Name = value;
            }
            else if (reader.ValueTextEquals("namespace"u8))
            {
                ok = First(ref seen, 16) & String(ref reader, out var value);
                result.Namespace = value;
            }
            else if (reader.ValueTextEquals("operation"u8))
            {
                ok = First(ref seen, 32) & KnownString(ref reader, out var value);
                result.Operation = value;
            }
            else if (reader.ValueTextEquals("object"u8))
            {
                ok = First(ref seen, 64) & Object(ref reader, out var value);
                result.Object = value;
            }
            else if (reader.ValueTextEquals("oldObject"u8))
            {
                ok = First(ref seen, 128) & Object(ref reader, out var value);
                result.OldObject = value;
            }
            else if (reader.ValueTextEquals("dryRun"u8))
            {
                ok = First(ref seen, 256) & Boolean(ref reader, out var value);
                result.DryRun = value;
            }
            else
            {
                ok = reader.TrySkip();
            }

            if (!ok)
            {
                return false;
            }
        }

        request = result;
        return true;
    }

    private static bool Kind(ref Utf8JsonReader reader, out GroupVersionKind? kind)
    {
        kind = null;
        if (!Start(ref reader, JsonTokenType.StartObject, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new GroupVersionKind();
        var seen = 0;
        while (NextProperty(ref reader))
        {
            bool ok;
            if (reader.ValueTextEquals("group"u8))
            {
                ok = First(ref seen, 1) & KnownString(ref reader, out var value);
                result.Group = value;
            }
            else if (reader.ValueTextEquals("version"u8))
            {
                ok = First(ref seen, 2) & KnownString(ref reader, out var value);
                result.Version = value;
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                ok = First(ref seen, 4) & KnownString(ref reader, out var value);
                result.Kind = value;
            }
            else
            {
                ok = reader.TrySkip();
            }

            if (!ok)
            {
                return false;
            }
        }

        kind = result;
        return true;
    }

    private static bool Object(ref Utf8JsonReader reader, out WorkloadObject? obj)
    {
        obj = null;
        if (!Start(ref reader, JsonTokenType.StartObject, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new WorkloadObject();
        var seen = 0;
        while (NextProperty(ref reader))
        {
            bool ok;
            if (reader.ValueTextEquals("apiVersion"u8))
            {
                ok = First(ref seen, 1) & KnownString(ref reader, out var value);
                result.ApiVersion = value;
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                ok = First(ref seen, 2) & KnownString(ref reader, out var value);
                result.Kind = value;
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                ok = First(ref seen, 4) & Meta(ref reader, out var value);
                result.Metadata = value;
            }
            else if (reader.ValueTextEquals("spec"u8))
            {
                ok = First(ref seen, 8) & Spec(ref reader, out var value);
                result.Spec = value;
            }
            else
            {
                ok = reader.TrySkip();
            }

            if (!ok)
            {
                return false;
            }
        }

        obj = result;
        return true;
    }

    private static bool Meta(ref Utf8JsonReader reader, out WorkloadMeta? meta)
    {
        meta = null;
        if (!Start(ref reader, JsonTokenType.StartObject, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new WorkloadMeta();
        var seen = 0;
        while (NextProperty(ref reader))
        {
            bool ok;
            if (reader.ValueTextEquals("name"u8))
            {
                ok = First(ref seen, 1) & String(ref reader, out var value);
                result.Name = value;
            }
            else if (reader.ValueTextEquals("namespace"u8))
            {
                ok = First(ref seen, 2) & String(ref reader, out var value);
                result.Namespace = value;
            }
            else if (reader.ValueTextEquals("labels"u8))
            {
                ok = First(ref seen, 4) & Labels(ref reader, out var value);
                result.Labels = value;
            }
            else
            {
                // annotations, managedFields, ownerReferences, uid...: skipped, never built.
                ok = reader.TrySkip();
            }

            if (!ok)
            {
                return false;
            }
        }

        meta = result;
        return true;
    }

    private static bool Labels(ref Utf8JsonReader reader, out Dictionary<string, string>? labels)
    {
        labels = null;
        if (!Start(ref reader, JsonTokenType.StartObject, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new Dictionary<string, string>();
        while (NextProperty(ref reader))
        {
            var key = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String || !result.TryAdd(key, reader.GetString()!))
            {
                return false;
            }
        }

        labels = result;
        return true;
    }

    private static bool Spec(ref Utf8JsonReader reader, out WorkloadSpec? spec)
    {
        spec = null;
        if (!Start(ref reader, JsonTokenType.StartObject, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new WorkloadSpec();
        var seen = 0;
        while (NextProperty(ref reader))
        {
            bool ok;
            if (reader.ValueTextEquals("containers"u8))
            {
                ok = First(ref seen, 1) & Containers(ref reader, out var value);
                result.Containers = value;
            }
            else if (reader.ValueTextEquals("initContainers"u8))
            {
                ok = First(ref seen, 2) & Containers(ref reader, out var value);
                result.InitContainers = value;
            }
            else if (reader.ValueTextEquals("ephemeralContainers"u8))
            {
                ok = First(ref seen, 4) & Containers(ref reader, out var value);
                result.EphemeralContainers = value;
            }
            else if (reader.ValueTextEquals("volumes"u8))
            {
                ok = First(ref seen, 8) & Volumes(ref reader, out var value);
                result.Volumes = value;
            }
            else if (reader.ValueTextEquals("imagePullSecrets"u8))
            {
                ok = First(ref seen, 16) & PullSecrets(ref reader, out var value);
                result.ImagePullSecrets = value;
            }
            else if (reader.ValueTextEquals("serviceAccountName"u8))
            {
                ok = First(ref seen, 32) & String(ref reader, out var value);
                result.ServiceAccountName = value;
            }
            else if (reader.ValueTextEquals("template"u8))
            {
                ok = First(ref seen, 64) & Template(ref reader, out var metadata, out var podSpec, out var present);
                result.Template = present ? new PodTemplate { Metadata = metadata, Spec = podSpec } : null;
            }
            else if (reader.ValueTextEquals("jobTemplate"u8))
            {
                ok = First(ref seen, 128) & Template(ref reader, out var metadata, out var jobSpec, out var present);
                result.JobTemplate = present ? new JobTemplate { Metadata = metadata, Spec = jobSpec } : null;
            }
            else
            {
                ok = reader.TrySkip();
            }

            if (!ok)
            {
                return false;
            }
        }

        spec = result;
        return true;
    }

    /// <summary>A pod template or a CronJob's job template: metadata and a spec, nothing else read.</summary>
    private static bool Template(ref Utf8JsonReader reader, out WorkloadMeta? metadata, out WorkloadSpec? spec, out bool present)
    {
        metadata = null;
        spec = null;
        present = false;
        if (!Start(ref reader, JsonTokenType.StartObject, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var seen = 0;
        while (NextProperty(ref reader))
        {
            bool ok;
            if (reader.ValueTextEquals("metadata"u8))
            {
                ok = First(ref seen, 1) & Meta(ref reader, out metadata);
            }
            else if (reader.ValueTextEquals("spec"u8))
            {
                ok = First(ref seen, 2) & Spec(ref reader, out spec);
            }
            else
            {
                ok = reader.TrySkip();
            }

            if (!ok)
            {
                return false;
            }
        }

        present = true;
        return true;
    }

    private static bool Containers(ref Utf8JsonReader reader, out List<ContainerSpec>? containers)
    {
        containers = null;
        if (!Start(ref reader, JsonTokenType.StartArray, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new List<ContainerSpec>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var container = new ContainerSpec();
            var seen = 0;
            while (NextProperty(ref reader))
            {
                bool ok;
                if (reader.ValueTextEquals("name"u8))
                {
                    ok = First(ref seen, 1) & String(ref reader, out var value);
                    container.Name = value;
                }
                else if (reader.ValueTextEquals("image"u8))
                {
                    ok = First(ref seen, 2) & String(ref reader, out var value);
                    container.Image = value;
                }
                else
                {
                    ok = reader.TrySkip();
                }

                if (!ok)
                {
                    return false;
                }
            }

            result.Add(container);
        }

        containers = result;
        return true;
    }

    private static bool Volumes(ref Utf8JsonReader reader, out List<VolumeSpec>? volumes)
    {
        volumes = null;
        if (!Start(ref reader, JsonTokenType.StartArray, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new List<VolumeSpec>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            // The name is built only for an image volume: most volumes (configMap, projected tokens) have none.
            // Until then it is kept as the reader's slice of the input, which outlives the token.
            ReadOnlySpan<byte> nameBytes = default;
            var hasNameBytes = false;
            var seen = 0;
            ImageVolumeSource? image = null;
            string? name = null;
            while (NextProperty(ref reader))
            {
                bool ok;
                if (reader.ValueTextEquals("name"u8))
                {
                    ok = First(ref seen, 1) & reader.Read() && reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
                    if (ok && reader.TokenType == JsonTokenType.String)
                    {
                        if (reader.ValueIsEscaped || reader.HasValueSequence)
                        {
                            name = reader.GetString();
                        }
                        else
                        {
                            nameBytes = reader.ValueSpan;
                            hasNameBytes = true;
                        }
                    }
                }
                else if (reader.ValueTextEquals("image"u8))
                {
                    ok = First(ref seen, 2) & ImageSource(ref reader, out image);
                }
                else
                {
                    ok = reader.TrySkip();
                }

                if (!ok)
                {
                    return false;
                }
            }

            if (image is null)
            {
                result.Add(null!);
                continue;
            }

            if (hasNameBytes)
            {
                name = StrictUtf8.GetString(nameBytes);
            }

            result.Add(new VolumeSpec { Name = name, Image = image });
        }

        volumes = result;
        return true;
    }

    private static bool ImageSource(ref Utf8JsonReader reader, out ImageVolumeSource? image)
    {
        image = null;
        if (!Start(ref reader, JsonTokenType.StartObject, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new ImageVolumeSource();
        var seen = 0;
        while (NextProperty(ref reader))
        {
            bool ok;
            if (reader.ValueTextEquals("reference"u8))
            {
                ok = First(ref seen, 1) & String(ref reader, out var value);
                result.Reference = value;
            }
            else if (reader.ValueTextEquals("pullPolicy"u8))
            {
                ok = First(ref seen, 2) & String(ref reader, out var value);
                result.PullPolicy = value;
            }
            else
            {
                ok = reader.TrySkip();
            }

            if (!ok)
            {
                return false;
            }
        }

        image = result;
        return true;
    }

    private static bool PullSecrets(ref Utf8JsonReader reader, out List<LocalObjectReference>? secrets)
    {
        secrets = null;
        if (!Start(ref reader, JsonTokenType.StartArray, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new List<LocalObjectReference>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var secret = new LocalObjectReference();
            var seen = 0;
            while (NextProperty(ref reader))
            {
                bool ok;
                if (reader.ValueTextEquals("name"u8))
                {
                    ok = First(ref seen, 1) & String(ref reader, out var value);
                    secret.Name = value;
                }
                else
                {
                    ok = reader.TrySkip();
                }

                if (!ok)
                {
                    return false;
                }
            }

            result.Add(secret);
        }

        secrets = result;
        return true;
    }

    /// <summary>Moves to the next property name of the object being read; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    /// <summary>Reads a value that must be <paramref name="start"/> or null.</summary>
    private static bool Start(ref Utf8JsonReader reader, JsonTokenType start, out bool isNull)
    {
        var ok = reader.Read() && (reader.TokenType == start || reader.TokenType == JsonTokenType.Null);
        isNull = reader.TokenType == JsonTokenType.Null;
        return ok;
    }

    /// <summary>Marks a property as read; false when it was already (the serializer then decides what a repeat means).</summary>
    private static bool First(ref int seen, int bit)
    {
        if ((seen & bit) != 0)
        {
            return false;
        }

        seen |= bit;
        return true;
    }

    private static bool String(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        value = reader.GetString();
        return true;
    }

    /// <summary>The values every review repeats (apiVersion, kind, operation) come from literals instead of new strings.</summary>
    private static bool KnownString(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        value = Known(ref reader) ?? reader.GetString();
        return true;
    }

    private static string? Known(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return null;
        }

        var span = reader.ValueSpan;
        return span.Length switch
        {
            0 => "",
            2 when span.SequenceEqual("v1"u8) => "v1",
            3 when span.SequenceEqual("Pod"u8) => "Pod",
            3 when span.SequenceEqual("Job"u8) => "Job",
            6 when span.SequenceEqual("CREATE"u8) => "CREATE",
            6 when span.SequenceEqual("UPDATE"u8) => "UPDATE",
            6 when span.SequenceEqual("DELETE"u8) => "DELETE",
            7 when span.SequenceEqual("CONNECT"u8) => "CONNECT",
            4 when span.SequenceEqual("apps"u8) => "apps",
            5 when span.SequenceEqual("batch"u8) => "batch",
            7 when span.SequenceEqual("apps/v1"u8) => "apps/v1",
            7 when span.SequenceEqual("CronJob"u8) => "CronJob",
            8 when span.SequenceEqual("batch/v1"u8) => "batch/v1",
            9 when span.SequenceEqual("DaemonSet"u8) => "DaemonSet",
            10 when span.SequenceEqual("Deployment"u8) => "Deployment",
            10 when span.SequenceEqual("ReplicaSet"u8) => "ReplicaSet",
            11 when span.SequenceEqual("StatefulSet"u8) => "StatefulSet",
            15 when span.SequenceEqual("AdmissionReview"u8) => AdmissionReview.KindName,
            19 when span.SequenceEqual("admission.k8s.io/v1"u8) => AdmissionReview.V1,
            21 when span.SequenceEqual("ReplicationController"u8) => "ReplicationController",
            _ => null,
        };
    }

    private static bool Boolean(ref Utf8JsonReader reader, out bool? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.True:
                value = true;
                return true;
            case JsonTokenType.False:
                value = false;
                return true;
            default:
                return false;
        }
    }
}
