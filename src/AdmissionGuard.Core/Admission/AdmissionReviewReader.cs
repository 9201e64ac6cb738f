using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
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

    /// <summary>Reads <paramref name="json"/> as the API server sends a review; false (and null) for anything else.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, [NotNullWhen(true)] out AdmissionReview? review)
    {
        review = null;
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            var result = new AdmissionReview();
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !Properties(ref reader, ReviewProperty, result))
            {
                return false;
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

    private static bool Request(ref Utf8JsonReader reader, out AdmissionRequest? request) =>
        ObjectOf(ref reader, RequestProperty, static () => new AdmissionRequest(), out request);

    private static bool Kind(ref Utf8JsonReader reader, out GroupVersionKind? kind) =>
        ObjectOf(ref reader, KindProperty, static () => new GroupVersionKind(), out kind);

    private static bool Object(ref Utf8JsonReader reader, out WorkloadObject? obj) =>
        ObjectOf(ref reader, ObjectProperty, static () => new WorkloadObject(), out obj);

    private static bool Meta(ref Utf8JsonReader reader, out WorkloadMeta? meta) =>
        ObjectOf(ref reader, MetaProperty, static () => new WorkloadMeta(), out meta);

    private static bool Spec(ref Utf8JsonReader reader, out WorkloadSpec? spec) =>
        ObjectOf(ref reader, SpecProperty, static () => new WorkloadSpec(), out spec);

    private static bool Containers(ref Utf8JsonReader reader, out List<ContainerSpec>? containers) =>
        ListOf(ref reader, ContainerProperty, static () => new ContainerSpec(), out containers);

    private static bool ImageSource(ref Utf8JsonReader reader, out ImageVolumeSource? image) =>
        ObjectOf(ref reader, ImageSourceProperty, static () => new ImageVolumeSource(), out image);

    private static bool PullSecrets(ref Utf8JsonReader reader, out List<LocalObjectReference>? secrets) =>
        ListOf(ref reader, SecretProperty, static () => new LocalObjectReference(), out secrets);

    private static bool ReviewProperty(ref Utf8JsonReader reader, AdmissionReview review, ref int seen)
    {
        if (reader.ValueTextEquals("apiVersion"u8))
        {
            var ok = First(ref seen, 1) & KnownString(ref reader, out var value);
            review.ApiVersion = value;
            return ok;
        }

        if (reader.ValueTextEquals("kind"u8))
        {
            var ok = First(ref seen, 2) & KnownString(ref reader, out var value);
            review.Kind = value;
            return ok;
        }

        if (reader.ValueTextEquals("request"u8))
        {
            var ok = First(ref seen, 4) & Request(ref reader, out var value);
            review.Request = value;
            return ok;
        }

        if (reader.ValueTextEquals("response"u8))
        {
            // A review sent to us carries no response; one that does is not the API server's: let the serializer judge it.
            return false;
        }

        return Skip(ref reader);
    }

    private static bool RequestProperty(ref Utf8JsonReader reader, AdmissionRequest request, ref int seen)
    {
        if (reader.ValueTextEquals("uid"u8))
        {
            var ok = First(ref seen, 1) & UniqueString(ref reader, out var value);
            request.Uid = value;
            return ok;
        }

        if (reader.ValueTextEquals("kind"u8))
        {
            var ok = First(ref seen, 2) & Kind(ref reader, out var value);
            request.Kind = value;
            return ok;
        }

        if (reader.ValueTextEquals("subResource"u8))
        {
            var ok = First(ref seen, 4) & String(ref reader, out var value);
            request.SubResource = value;
            return ok;
        }

        if (reader.ValueTextEquals("name"u8))
        {
            var ok = First(ref seen, 8) & String(ref reader, out var value);
            request.Name = value;
            return ok;
        }

        if (reader.ValueTextEquals("namespace"u8))
        {
            var ok = First(ref seen, 16) & String(ref reader, out var value);
            request.Namespace = value;
            return ok;
        }

        if (reader.ValueTextEquals("operation"u8))
        {
            var ok = First(ref seen, 32) & KnownString(ref reader, out var value);
            request.Operation = value;
            return ok;
        }

        if (reader.ValueTextEquals("object"u8))
        {
            var ok = First(ref seen, 64) & Object(ref reader, out var value);
            request.Object = value;
            return ok;
        }

        if (reader.ValueTextEquals("oldObject"u8))
        {
            var ok = First(ref seen, 128) & Object(ref reader, out var value);
            request.OldObject = value;
            return ok;
        }

        if (reader.ValueTextEquals("dryRun"u8))
        {
            var ok = First(ref seen, 256) & Boolean(ref reader, out var value);
            request.DryRun = value;
            return ok;
        }

        return Skip(ref reader);
    }

    private static bool KindProperty(ref Utf8JsonReader reader, GroupVersionKind kind, ref int seen)
    {
        if (reader.ValueTextEquals("group"u8))
        {
            var ok = First(ref seen, 1) & KnownString(ref reader, out var value);
            kind.Group = value;
            return ok;
        }

        if (reader.ValueTextEquals("version"u8))
        {
            var ok = First(ref seen, 2) & KnownString(ref reader, out var value);
            kind.Version = value;
            return ok;
        }

        if (reader.ValueTextEquals("kind"u8))
        {
            var ok = First(ref seen, 4) & KnownString(ref reader, out var value);
            kind.Kind = value;
            return ok;
        }

        return Skip(ref reader);
    }

    private static bool ObjectProperty(ref Utf8JsonReader reader, WorkloadObject obj, ref int seen)
    {
        if (reader.ValueTextEquals("apiVersion"u8))
        {
            var ok = First(ref seen, 1) & KnownString(ref reader, out var value);
            obj.ApiVersion = value;
            return ok;
        }

        if (reader.ValueTextEquals("kind"u8))
        {
            var ok = First(ref seen, 2) & KnownString(ref reader, out var value);
            obj.Kind = value;
            return ok;
        }

        if (reader.ValueTextEquals("metadata"u8))
        {
            var ok = First(ref seen, 4) & Meta(ref reader, out var value);
            obj.Metadata = value;
            return ok;
        }

        if (reader.ValueTextEquals("spec"u8))
        {
            var ok = First(ref seen, 8) & Spec(ref reader, out var value);
            obj.Spec = value;
            return ok;
        }

        return Skip(ref reader);
    }

    /// <summary>Name, namespace and labels; annotations, managedFields, ownerReferences, uid...: skipped, never built.</summary>
    private static bool MetaProperty(ref Utf8JsonReader reader, WorkloadMeta meta, ref int seen)
    {
        if (reader.ValueTextEquals("name"u8))
        {
            var ok = First(ref seen, 1) & String(ref reader, out var value);
            meta.Name = value;
            return ok;
        }

        if (reader.ValueTextEquals("namespace"u8))
        {
            var ok = First(ref seen, 2) & String(ref reader, out var value);
            meta.Namespace = value;
            return ok;
        }

        if (reader.ValueTextEquals("labels"u8))
        {
            var ok = First(ref seen, 4) & Labels(ref reader, out var value);
            meta.Labels = value;
            return ok;
        }

        return Skip(ref reader);
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
            var key = Text(ref reader);
            if (!reader.Read() || reader.TokenType != JsonTokenType.String || !result.TryAdd(key, Text(ref reader)))
            {
                return false;
            }
        }

        labels = result;
        return true;
    }

    private static bool SpecProperty(ref Utf8JsonReader reader, WorkloadSpec spec, ref int seen)
    {
        if (reader.ValueTextEquals("containers"u8))
        {
            var ok = First(ref seen, 1) & Containers(ref reader, out var value);
            spec.Containers = value;
            return ok;
        }

        if (reader.ValueTextEquals("initContainers"u8))
        {
            var ok = First(ref seen, 2) & Containers(ref reader, out var value);
            spec.InitContainers = value;
            return ok;
        }

        if (reader.ValueTextEquals("ephemeralContainers"u8))
        {
            var ok = First(ref seen, 4) & Containers(ref reader, out var value);
            spec.EphemeralContainers = value;
            return ok;
        }

        if (reader.ValueTextEquals("volumes"u8))
        {
            var ok = First(ref seen, 8) & Volumes(ref reader, out var value);
            spec.Volumes = value;
            return ok;
        }

        if (reader.ValueTextEquals("imagePullSecrets"u8))
        {
            var ok = First(ref seen, 16) & PullSecrets(ref reader, out var value);
            spec.ImagePullSecrets = value;
            return ok;
        }

        if (reader.ValueTextEquals("serviceAccountName"u8))
        {
            var ok = First(ref seen, 32) & String(ref reader, out var value);
            spec.ServiceAccountName = value;
            return ok;
        }

        if (reader.ValueTextEquals("template"u8))
        {
            var ok = First(ref seen, 64) & Template(ref reader, out var metadata, out var podSpec, out var present);
            spec.Template = present ? new PodTemplate { Metadata = metadata, Spec = podSpec } : null;
            return ok;
        }

        if (reader.ValueTextEquals("jobTemplate"u8))
        {
            var ok = First(ref seen, 128) & Template(ref reader, out var metadata, out var jobSpec, out var present);
            spec.JobTemplate = present ? new JobTemplate { Metadata = metadata, Spec = jobSpec } : null;
            return ok;
        }

        return Skip(ref reader);
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
                ok = Skip(ref reader);
            }

            if (!ok)
            {
                return false;
            }
        }

        present = true;
        return true;
    }

    private static bool ContainerProperty(ref Utf8JsonReader reader, ContainerSpec container, ref int seen)
    {
        if (reader.ValueTextEquals("name"u8))
        {
            var ok = First(ref seen, 1) & String(ref reader, out var value);
            container.Name = value;
            return ok;
        }

        if (reader.ValueTextEquals("image"u8))
        {
            var ok = First(ref seen, 2) & String(ref reader, out var value);
            container.Image = value;
            return ok;
        }

        return Skip(ref reader);
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
                    ok = Skip(ref reader);
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
                name = RepeatedStrings.Decode(nameBytes);
            }

            result.Add(new VolumeSpec { Name = name, Image = image });
        }

        volumes = result;
        return true;
    }

    private static bool ImageSourceProperty(ref Utf8JsonReader reader, ImageVolumeSource image, ref int seen)
    {
        if (reader.ValueTextEquals("reference"u8))
        {
            var ok = First(ref seen, 1) & String(ref reader, out var value);
            image.Reference = value;
            return ok;
        }

        if (reader.ValueTextEquals("pullPolicy"u8))
        {
            var ok = First(ref seen, 2) & String(ref reader, out var value);
            image.PullPolicy = value;
            return ok;
        }

        return Skip(ref reader);
    }

    private static bool SecretProperty(ref Utf8JsonReader reader, LocalObjectReference secret, ref int seen)
    {
        if (reader.ValueTextEquals("name"u8))
        {
            var ok = First(ref seen, 1) & String(ref reader, out var value);
            secret.Name = value;
            return ok;
        }

        return Skip(ref reader);
    }

    /// <summary>
    /// Reads the property the reader is on into <paramref name="target"/>, or skips it when admission does not read it;
    /// false when its value is not what the API server sends. <paramref name="seen"/> marks the properties already read.
    /// </summary>
    private delegate bool PropertyReader<in T>(ref Utf8JsonReader reader, T target, ref int seen);

    /// <summary>Reads every property of the object the reader has just started.</summary>
    private static bool Properties<T>(ref Utf8JsonReader reader, PropertyReader<T> readProperty, T target)
    {
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (!readProperty(ref reader, target, ref seen))
            {
                return false;
            }
        }

        return true;
    }

    // The objects come from a factory rather than "new T()": for a class, generic code is shared between types and
    // "new T()" there is Activator.CreateInstance<T>, a reflection call per object (RuntimeType.CreateInstanceOfT in
    // the JIT build's profile); the factory is one delegate call. The static lambdas are made once.

    /// <summary>An object or null.</summary>
    private static bool ObjectOf<T>(ref Utf8JsonReader reader, PropertyReader<T> readProperty, Func<T> create, out T? value)
        where T : class
    {
        value = null;
        if (!Start(ref reader, JsonTokenType.StartObject, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = create();
        if (!Properties(ref reader, readProperty, result))
        {
            return false;
        }

        value = result;
        return true;
    }

    /// <summary>An array of objects, or null; a null entry is not the API server's shape.</summary>
    private static bool ListOf<T>(ref Utf8JsonReader reader, PropertyReader<T> readProperty, Func<T> create, out List<T>? list)
        where T : class
    {
        list = null;
        if (!Start(ref reader, JsonTokenType.StartArray, out var isNull))
        {
            return false;
        }

        if (isNull)
        {
            return true;
        }

        var result = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var item = create();
            if (reader.TokenType != JsonTokenType.StartObject || !Properties(ref reader, readProperty, item))
            {
                return false;
            }

            result.Add(item);
        }

        list = result;
        return true;
    }

    /// <summary>
    /// Skips the value of the property the reader is on (or the value it is on), every token still read and checked.
    /// The same as <see cref="Utf8JsonReader.TrySkip"/> on a whole body, but TrySkip, like any loop over a reader held
    /// by <c>ref</c>, calls the reader's <c>ReadSingleSegment</c> per token, where a loop over a local reader has it
    /// inlined. Most of a review's bytes are skipped: this made the reader 1.08-1.32x the cost of only tokenising the
    /// review, from 1.27-1.52x (DecodeBenchmarks). Not inlined itself, so that the large loop is compiled once.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Skip(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.PropertyName && !reader.Read())
        {
            return false;
        }

        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return true;
        }

        // On a local copy: the JIT inlines Read into a loop over a local reader, not over one behind a ref.
        var local = reader;
        var depth = local.CurrentDepth;
        var ended = false;
        while (local.Read())
        {
            if (local.CurrentDepth == depth)
            {
                ended = true;
                break;
            }
        }

        reader = local;
        return ended;
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

    private enum Repeats
    {
        /// <summary>A value of this review only (its uid): decoded, never kept.</summary>
        Never,

        /// <summary>Names, namespaces, images: the same string as the last review that had them (<see cref="RepeatedStrings"/>).</summary>
        Often,

        /// <summary>apiVersion, kind, operation: a literal when it is one of the few every review uses.</summary>
        Always,
    }

    private static bool String(ref Utf8JsonReader reader, out string? value) => String(ref reader, Repeats.Often, out value);

    private static bool UniqueString(ref Utf8JsonReader reader, out string? value) => String(ref reader, Repeats.Never, out value);

    /// <summary>The values every review repeats (apiVersion, kind, operation) come from literals instead of new strings.</summary>
    private static bool KnownString(ref Utf8JsonReader reader, out string? value) => String(ref reader, Repeats.Always, out value);

    /// <summary>The string token (or property name) the reader is on, as <see cref="Repeats.Often"/> keeps it.</summary>
    private static string Text(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped || reader.HasValueSequence ? reader.GetString()! : RepeatedStrings.Decode(reader.ValueSpan);

    private static bool String(ref Utf8JsonReader reader, Repeats repeats, out string? value)
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

        value = repeats switch
        {
            Repeats.Never => reader.GetString(),
            Repeats.Always => Known(ref reader) ?? Text(ref reader),
            _ => Text(ref reader),
        };
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
