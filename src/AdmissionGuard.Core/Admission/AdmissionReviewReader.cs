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

    /// <summary>How many objects and lists deep the reader follows: a Pod's image volume is 11, a CronJob's containers 10.</summary>
    private const int MaxLevels = 16;

    /// <summary>Reads <paramref name="json"/> as the API server sends a review; false (and null) for anything else.</summary>
    /// <remarks>
    /// One loop over one local reader reads the review, and <see cref="Skipped"/> the values admission does not read,
    /// on a copy passed by value. No loop reads the reader behind a <c>ref</c> (as <see cref="Utf8JsonReader.TrySkip"/>
    /// or the skip of a recursive descent does, calling <c>ReadSingleSegment</c> per token where a loop over a local
    /// has it inlined), and the skip's copies are made by value rather than through a <c>ref</c>.
    /// Where the loop is in the review is a stack of <see cref="Level"/>s; the property methods only match a name and
    /// read a scalar value, and tell the loop what to do with any other value.
    /// </remarks>
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
            var levels = default(Levels);
            levels[0] = new Level(Frame.Review, result);
            var depth = 0;
            var volume = default(VolumeState);
            while (depth >= 0)
            {
                if (!reader.Read())
                {
                    return false;
                }

                ref var level = ref levels[depth];
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var step = Property(ref reader, ref level, ref volume);
                        if (step == Step.Read)
                        {
                            break;
                        }

                        if (step == Step.Refuse || !reader.Read())
                        {
                            return false;
                        }

                        if (step == Step.Skip)
                        {
                            // Every token of a skipped object or array is still read and checked, by this same loop.
                            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                            {
                                reader = Skipped(reader);
                            }

                            break;
                        }

                        if (reader.TokenType == JsonTokenType.Null)
                        {
                            break;
                        }

                        var start = IsList(step) ? JsonTokenType.StartArray : JsonTokenType.StartObject;
                        if (reader.TokenType != start || depth + 1 == MaxLevels)
                        {
                            return false;
                        }

                        levels[++depth] = Open(level, step, ref volume);
                        break;

                    case JsonTokenType.StartObject:
                        // The next entry of a list: an object's values were all taken above.
                        if (depth + 1 == MaxLevels || !Entry(level, ref volume, out var entry))
                        {
                            return false;
                        }

                        levels[++depth] = entry;
                        break;

                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        if (level.Frame == Frame.Volume)
                        {
                            Close(json, (List<VolumeSpec>)level.Target, volume);
                        }

                        depth--;
                        break;

                    default:
                        // A value other than an object in a list of objects, a null entry too: not the API server's shape.
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

    /// <summary>
    /// The reader past the end of the object or array it is on. It takes and gives the reader by value: the JIT
    /// inlines <c>Read</c> into this loop over its own copy and not into the large loop of <see cref="TryRead"/>
    /// (DecodeBenchmarks: 1.14-1.27x the cost of tokenising with it, 1.24-1.34x with the skip written there). The copy
    /// in, by value, needs no GC write barrier; in the AOT build the copy back still takes one, where a skip behind a
    /// <c>ref</c> took it both ways (<c>RhBulkMoveWithWriteBarrier</c>: 14,700 instructions per request then, 7,900 now).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Utf8JsonReader Skipped(Utf8JsonReader reader)
    {
        var end = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth != end)
        {
        }

        return reader;
    }

    /// <summary>What an object or list the loop is in holds.</summary>
    private enum Frame : byte
    {
        Review,
        Request,
        Kind,
        Object,
        Meta,
        Labels,
        Spec,
        Template,
        Containers,
        Container,
        Volumes,
        Volume,
        Image,
        Secrets,
        Secret,
    }

    /// <summary>What the loop does with the value of the property a property method is on.</summary>
    private enum Step : byte
    {
        /// <summary>The property method has read the value.</summary>
        Read,

        /// <summary>Not the API server's shape: the serializer decides.</summary>
        Refuse,

        /// <summary>Admission does not read it.</summary>
        Skip,

        // An object or a list (or null) that becomes this property of the current level's object:
        Request,
        Kind,
        Object,
        OldObject,
        Metadata,
        Labels,
        Spec,
        Containers,
        InitContainers,
        EphemeralContainers,
        Volumes,
        PullSecrets,
        Template,
        JobTemplate,
        Image,
    }

    /// <summary>An object or list being read: what it is, the object or list being filled, the properties already read.</summary>
    private struct Level(Frame frame, object target)
    {
        public readonly Frame Frame = frame;
        public readonly object Target = target;
        public int Seen;
    }

    [InlineArray(MaxLevels)]
    private struct Levels
    {
        private Level level;
    }

    /// <summary>
    /// The volume being read (one at a time: a volume holds no other). Its name is built only for an image volume:
    /// most volumes (configMap, projected tokens) have none. Until then it is kept as where it is in the input.
    /// </summary>
    private struct VolumeState
    {
        public string? Name;
        public int NameStart;
        public int NameLength;
        public bool HasNameBytes;
        public ImageVolumeSource? Image;
    }

    private static bool IsList(Step step) =>
        step is Step.Containers or Step.InitContainers or Step.EphemeralContainers or Step.Volumes or Step.PullSecrets;

    /// <summary>
    /// Matches the property name the reader is on to what the level reads. Names are compared as bytes to literals
    /// (the JIT unrolls each compare); <see cref="Utf8JsonReader.ValueTextEquals(ReadOnlySpan{byte})"/> is a call per
    /// compare, and a review's names take 250-750 compares.
    /// </summary>
    private static Step Property(ref Utf8JsonReader reader, ref Level level, ref VolumeState volume)
    {
        if (level.Frame == Frame.Labels)
        {
            return Label(ref reader, (Dictionary<string, string>)level.Target);
        }

        return reader.ValueIsEscaped ? EscapedProperty(ref reader, ref level, ref volume) : Property(ref reader, reader.ValueSpan, ref level, ref volume);
    }

    /// <summary>A property name with escapes (the API server writes none) is matched unescaped, as the serializer matches it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Step EscapedProperty(ref Utf8JsonReader reader, ref Level level, ref VolumeState volume)
    {
        // Escaping only lengthens a name, and no name read here is over 19 characters (6 bytes each at most escaped).
        Span<byte> unescaped = stackalloc byte[128];
        if (reader.ValueSpan.Length > unescaped.Length)
        {
            return Step.Skip;
        }

        var length = reader.CopyString(unescaped);
        return Property(ref reader, unescaped[..length], ref level, ref volume);
    }

    private static Step Property(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, ref Level level, ref VolumeState volume) => level.Frame switch
    {
        Frame.Review => ReviewProperty(ref reader, name, (AdmissionReview)level.Target, ref level.Seen),
        Frame.Request => RequestProperty(ref reader, name, (AdmissionRequest)level.Target, ref level.Seen),
        Frame.Kind => KindProperty(ref reader, name, (GroupVersionKind)level.Target, ref level.Seen),
        Frame.Object => ObjectProperty(ref reader, name, (WorkloadObject)level.Target, ref level.Seen),
        Frame.Meta => MetaProperty(ref reader, name, (WorkloadMeta)level.Target, ref level.Seen),
        Frame.Spec => SpecProperty(ref reader, name, (WorkloadSpec)level.Target, ref level.Seen),
        Frame.Template => TemplateProperty(name, ref level.Seen),
        Frame.Container => ContainerProperty(ref reader, name, (ContainerSpec)level.Target, ref level.Seen),
        Frame.Volume => VolumeProperty(ref reader, name, ref volume, ref level.Seen),
        Frame.Image => ImageProperty(ref reader, name, (ImageVolumeSource)level.Target, ref level.Seen),
        Frame.Secret => SecretProperty(ref reader, name, (LocalObjectReference)level.Target, ref level.Seen),
        _ => Step.Refuse,
    };

    /// <summary>Makes the object or list <paramref name="step"/> names, sets it on the parent's object and returns its level.</summary>
    private static Level Open(in Level parent, Step step, ref VolumeState volume)
    {
        switch (step)
        {
            case Step.Request:
                var request = new AdmissionRequest();
                ((AdmissionReview)parent.Target).Request = request;
                return new Level(Frame.Request, request);
            case Step.Kind:
                var kind = new GroupVersionKind();
                ((AdmissionRequest)parent.Target).Kind = kind;
                return new Level(Frame.Kind, kind);
            case Step.Object or Step.OldObject:
                var obj = new WorkloadObject();
                if (step == Step.Object)
                {
                    ((AdmissionRequest)parent.Target).Object = obj;
                }
                else
                {
                    ((AdmissionRequest)parent.Target).OldObject = obj;
                }

                return new Level(Frame.Object, obj);
            case Step.Metadata:
                var meta = new WorkloadMeta();
                switch (parent.Target)
                {
                    case WorkloadObject o: o.Metadata = meta; break;
                    case PodTemplate t: t.Metadata = meta; break;
                    default: ((JobTemplate)parent.Target).Metadata = meta; break;
                }

                return new Level(Frame.Meta, meta);
            case Step.Labels:
                var labels = new Dictionary<string, string>();
                ((WorkloadMeta)parent.Target).Labels = labels;
                return new Level(Frame.Labels, labels);
            case Step.Spec:
                var spec = new WorkloadSpec();
                switch (parent.Target)
                {
                    case WorkloadObject o: o.Spec = spec; break;
                    case PodTemplate t: t.Spec = spec; break;
                    default: ((JobTemplate)parent.Target).Spec = spec; break;
                }

                return new Level(Frame.Spec, spec);
            case Step.Containers or Step.InitContainers or Step.EphemeralContainers:
                var containers = new List<ContainerSpec>();
                var owner = (WorkloadSpec)parent.Target;
                if (step == Step.Containers)
                {
                    owner.Containers = containers;
                }
                else if (step == Step.InitContainers)
                {
                    owner.InitContainers = containers;
                }
                else
                {
                    owner.EphemeralContainers = containers;
                }

                return new Level(Frame.Containers, containers);
            case Step.Volumes:
                var volumes = new List<VolumeSpec>();
                ((WorkloadSpec)parent.Target).Volumes = volumes;
                return new Level(Frame.Volumes, volumes);
            case Step.PullSecrets:
                var secrets = new List<LocalObjectReference>();
                ((WorkloadSpec)parent.Target).ImagePullSecrets = secrets;
                return new Level(Frame.Secrets, secrets);
            case Step.Template:
                var template = new PodTemplate();
                ((WorkloadSpec)parent.Target).Template = template;
                return new Level(Frame.Template, template);
            case Step.JobTemplate:
                var jobTemplate = new JobTemplate();
                ((WorkloadSpec)parent.Target).JobTemplate = jobTemplate;
                return new Level(Frame.Template, jobTemplate);
            default:
                var image = new ImageVolumeSource();
                volume.Image = image;
                return new Level(Frame.Image, image);
        }
    }

    /// <summary>Starts the next entry of the list <paramref name="list"/> is; false when it is not a list.</summary>
    private static bool Entry(in Level list, ref VolumeState volume, out Level entry)
    {
        switch (list.Frame)
        {
            case Frame.Containers:
                var container = new ContainerSpec();
                ((List<ContainerSpec>)list.Target).Add(container);
                entry = new Level(Frame.Container, container);
                return true;
            case Frame.Secrets:
                var secret = new LocalObjectReference();
                ((List<LocalObjectReference>)list.Target).Add(secret);
                entry = new Level(Frame.Secret, secret);
                return true;
            case Frame.Volumes:
                volume = default;
                entry = new Level(Frame.Volume, list.Target);
                return true;
            default:
                entry = default;
                return false;
        }
    }

    /// <summary>Adds the volume just read to its list: a null entry for one without an image, so indexes still match.</summary>
    private static void Close(ReadOnlySpan<byte> json, List<VolumeSpec> volumes, in VolumeState volume)
    {
        if (volume.Image is null)
        {
            volumes.Add(null!);
            return;
        }

        var name = volume.HasNameBytes ? RepeatedStrings.Decode(json.Slice(volume.NameStart, volume.NameLength)) : volume.Name;
        volumes.Add(new VolumeSpec { Name = name, Image = volume.Image });
    }

    private static Step Done(bool ok) => ok ? Step.Read : Step.Refuse;

    private static Step Open(ref int seen, int bit, Step step) => First(ref seen, bit) ? step : Step.Refuse;

    private static Step ReviewProperty(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, AdmissionReview review, ref int seen)
    {
        if (name.SequenceEqual("apiVersion"u8))
        {
            var ok = First(ref seen, 1) & KnownString(ref reader, out var value);
            review.ApiVersion = value;
            return Done(ok);
        }

        if (name.SequenceEqual("kind"u8))
        {
            var ok = First(ref seen, 2) & KnownString(ref reader, out var value);
            review.Kind = value;
            return Done(ok);
        }

        if (name.SequenceEqual("request"u8))
        {
            return Open(ref seen, 4, Step.Request);
        }

        if (name.SequenceEqual("response"u8))
        {
            // A review sent to us carries no response; one that does is not the API server's: let the serializer judge it.
            return Step.Refuse;
        }

        return Step.Skip;
    }

    private static Step RequestProperty(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, AdmissionRequest request, ref int seen)
    {
        if (name.SequenceEqual("uid"u8))
        {
            var ok = First(ref seen, 1) & UniqueString(ref reader, out var value);
            request.Uid = value;
            return Done(ok);
        }

        if (name.SequenceEqual("kind"u8))
        {
            return Open(ref seen, 2, Step.Kind);
        }

        if (name.SequenceEqual("subResource"u8))
        {
            var ok = First(ref seen, 4) & String(ref reader, out var value);
            request.SubResource = value;
            return Done(ok);
        }

        if (name.SequenceEqual("name"u8))
        {
            var ok = First(ref seen, 8) & String(ref reader, out var value);
            request.Name = value;
            return Done(ok);
        }

        if (name.SequenceEqual("namespace"u8))
        {
            var ok = First(ref seen, 16) & String(ref reader, out var value);
            request.Namespace = value;
            return Done(ok);
        }

        if (name.SequenceEqual("operation"u8))
        {
            var ok = First(ref seen, 32) & KnownString(ref reader, out var value);
            request.Operation = value;
            return Done(ok);
        }

        if (name.SequenceEqual("object"u8))
        {
            return Open(ref seen, 64, Step.Object);
        }

        if (name.SequenceEqual("oldObject"u8))
        {
            return Open(ref seen, 128, Step.OldObject);
        }

        if (name.SequenceEqual("dryRun"u8))
        {
            var ok = First(ref seen, 256) & Boolean(ref reader, out var value);
            request.DryRun = value;
            return Done(ok);
        }

        return Step.Skip;
    }

    private static Step KindProperty(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, GroupVersionKind kind, ref int seen)
    {
        if (name.SequenceEqual("group"u8))
        {
            var ok = First(ref seen, 1) & KnownString(ref reader, out var value);
            kind.Group = value;
            return Done(ok);
        }

        if (name.SequenceEqual("version"u8))
        {
            var ok = First(ref seen, 2) & KnownString(ref reader, out var value);
            kind.Version = value;
            return Done(ok);
        }

        if (name.SequenceEqual("kind"u8))
        {
            var ok = First(ref seen, 4) & KnownString(ref reader, out var value);
            kind.Kind = value;
            return Done(ok);
        }

        return Step.Skip;
    }

    private static Step ObjectProperty(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, WorkloadObject obj, ref int seen)
    {
        if (name.SequenceEqual("apiVersion"u8))
        {
            var ok = First(ref seen, 1) & KnownString(ref reader, out var value);
            obj.ApiVersion = value;
            return Done(ok);
        }

        if (name.SequenceEqual("kind"u8))
        {
            var ok = First(ref seen, 2) & KnownString(ref reader, out var value);
            obj.Kind = value;
            return Done(ok);
        }

        if (name.SequenceEqual("metadata"u8))
        {
            return Open(ref seen, 4, Step.Metadata);
        }

        if (name.SequenceEqual("spec"u8))
        {
            return Open(ref seen, 8, Step.Spec);
        }

        return Step.Skip;
    }

    /// <summary>Name, namespace and labels; annotations, managedFields, ownerReferences, uid...: skipped, never built.</summary>
    private static Step MetaProperty(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, WorkloadMeta meta, ref int seen)
    {
        if (name.SequenceEqual("name"u8))
        {
            var ok = First(ref seen, 1) & String(ref reader, out var value);
            meta.Name = value;
            return Done(ok);
        }

        if (name.SequenceEqual("namespace"u8))
        {
            var ok = First(ref seen, 2) & String(ref reader, out var value);
            meta.Namespace = value;
            return Done(ok);
        }

        if (name.SequenceEqual("labels"u8))
        {
            return Open(ref seen, 4, Step.Labels);
        }

        return Step.Skip;
    }

    /// <summary>One label: a string value, its key not repeated.</summary>
    private static Step Label(ref Utf8JsonReader reader, Dictionary<string, string> labels)
    {
        var key = Text(ref reader);
        return Done(reader.Read() && reader.TokenType == JsonTokenType.String && labels.TryAdd(key, Text(ref reader)));
    }

    private static Step SpecProperty(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, WorkloadSpec spec, ref int seen)
    {
        if (name.SequenceEqual("containers"u8))
        {
            return Open(ref seen, 1, Step.Containers);
        }

        if (name.SequenceEqual("initContainers"u8))
        {
            return Open(ref seen, 2, Step.InitContainers);
        }

        if (name.SequenceEqual("ephemeralContainers"u8))
        {
            return Open(ref seen, 4, Step.EphemeralContainers);
        }

        if (name.SequenceEqual("volumes"u8))
        {
            return Open(ref seen, 8, Step.Volumes);
        }

        if (name.SequenceEqual("imagePullSecrets"u8))
        {
            return Open(ref seen, 16, Step.PullSecrets);
        }

        if (name.SequenceEqual("serviceAccountName"u8))
        {
            var ok = First(ref seen, 32) & String(ref reader, out var value);
            spec.ServiceAccountName = value;
            return Done(ok);
        }

        if (name.SequenceEqual("template"u8))
        {
            return Open(ref seen, 64, Step.Template);
        }

        if (name.SequenceEqual("jobTemplate"u8))
        {
            return Open(ref seen, 128, Step.JobTemplate);
        }

        return Step.Skip;
    }

    /// <summary>A pod template or a CronJob's job template: metadata and a spec, nothing else read.</summary>
    private static Step TemplateProperty(scoped ReadOnlySpan<byte> name, ref int seen)
    {
        if (name.SequenceEqual("metadata"u8))
        {
            return Open(ref seen, 1, Step.Metadata);
        }

        if (name.SequenceEqual("spec"u8))
        {
            return Open(ref seen, 2, Step.Spec);
        }

        return Step.Skip;
    }

    private static Step ContainerProperty(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, ContainerSpec container, ref int seen)
    {
        if (name.SequenceEqual("name"u8))
        {
            var ok = First(ref seen, 1) & String(ref reader, out var value);
            container.Name = value;
            return Done(ok);
        }

        if (name.SequenceEqual("image"u8))
        {
            var ok = First(ref seen, 2) & String(ref reader, out var value);
            container.Image = value;
            return Done(ok);
        }

        return Step.Skip;
    }

    private static Step VolumeProperty(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, ref VolumeState volume, ref int seen)
    {
        if (name.SequenceEqual("name"u8))
        {
            var ok = First(ref seen, 1) & reader.Read() && reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
            if (ok && reader.TokenType == JsonTokenType.String)
            {
                if (reader.ValueIsEscaped || reader.HasValueSequence)
                {
                    volume.Name = reader.GetString();
                }
                else
                {
                    // The value's bytes follow the opening quote the token starts at.
                    volume.NameStart = checked((int)reader.TokenStartIndex + 1);
                    volume.NameLength = reader.ValueSpan.Length;
                    volume.HasNameBytes = true;
                }
            }

            return Done(ok);
        }

        if (name.SequenceEqual("image"u8))
        {
            return Open(ref seen, 2, Step.Image);
        }

        return Step.Skip;
    }

    private static Step ImageProperty(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, ImageVolumeSource image, ref int seen)
    {
        if (name.SequenceEqual("reference"u8))
        {
            var ok = First(ref seen, 1) & String(ref reader, out var value);
            image.Reference = value;
            return Done(ok);
        }

        if (name.SequenceEqual("pullPolicy"u8))
        {
            var ok = First(ref seen, 2) & String(ref reader, out var value);
            image.PullPolicy = value;
            return Done(ok);
        }

        return Step.Skip;
    }

    private static Step SecretProperty(ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> name, LocalObjectReference secret, ref int seen)
    {
        if (name.SequenceEqual("name"u8))
        {
            var ok = First(ref seen, 1) & String(ref reader, out var value);
            secret.Name = value;
            return Done(ok);
        }

        return Step.Skip;
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
