using System.Buffers;
using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AdmissionGuard.Serialization;

/// <summary>
/// Reads multi-document YAML (or JSON, which is YAML) into JSON documents without a reflection
/// serializer, so the same source-generated System.Text.Json models serve YAML, JSON and AOT.
/// </summary>
public static class YamlDocuments
{
    private const int MaxDepth = 64;

    /// <summary>Each non-empty document as UTF-8 JSON. Throws <see cref="InvalidDataException"/> with the line on bad YAML.</summary>
    public static List<JsonDocument> Read(TextReader reader)
    {
        var documents = new List<JsonDocument>();
        var parser = new Parser(reader);
        try
        {
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                var buffer = new ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    if (parser.Accept<DocumentEnd>(out _))
                    {
                        parser.Consume<DocumentEnd>();
                        continue;
                    }

                    WriteNode(parser, writer, 0);
                }

                parser.Consume<DocumentEnd>();
                var document = JsonDocument.Parse(buffer.WrittenMemory);
                if (document.RootElement.ValueKind == JsonValueKind.Null)
                {
                    document.Dispose();
                    continue;
                }

                documents.Add(document);
            }

            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }

            throw new InvalidDataException($"invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {Innermost(e).Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this, not a YamlException, at the end of an unclosed flow collection ("[1, 2").
            foreach (var document in documents)
            {
                document.Dispose();
            }

            var mark = parser.Current?.End ?? Mark.Empty;
            throw new InvalidDataException($"invalid YAML at line {mark.Line}, column {mark.Column}: the parser could not continue (an unclosed \"[\", \"{{\" or quote?)", e);
        }
        catch (ArgumentException e)
        {
            // YamlDotNet rejects a malformed tag ("!![?d") with an ArgumentException from TagName (found by fuzzing).
            foreach (var document in documents)
            {
                document.Dispose();
            }

            var mark = parser.Current?.End ?? Mark.Empty;
            throw new InvalidDataException($"invalid YAML at line {mark.Line}, column {mark.Column}: {e.Message}", e);
        }

        return documents;
    }

    public static List<JsonDocument> Read(string text)
    {
        using var reader = new StringReader(text);
        return Read(reader);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private static void WriteNode(IParser parser, Utf8JsonWriter writer, int depth)
    {
        // depth counts from 0 at the root, so depth MaxDepth is level MaxDepth + 1: one more than JsonDocument reads back.
        if (depth >= MaxDepth)
        {
            throw new YamlException(parser.Current!.Start, parser.Current.End, $"nesting deeper than {MaxDepth} levels");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            WriteScalar(writer, scalar);
        }
        else if (parser.TryConsume<SequenceStart>(out _))
        {
            writer.WriteStartArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                WriteNode(parser, writer, depth + 1);
            }

            writer.WriteEndArray();
        }
        else if (parser.TryConsume<MappingStart>(out _))
        {
            writer.WriteStartObject();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>();
                if (key.Value == "<<" && key.Style == ScalarStyle.Plain)
                {
                    throw new YamlException(key.Start, key.End, "YAML merge keys (<<) are not supported");
                }

                if (!keys.Add(key.Value))
                {
                    // Kubernetes (sigs.k8s.io/yaml) rejects duplicate keys; silently keeping one would hide a mistake.
                    throw new YamlException(key.Start, key.End, $"duplicate key \"{key.Value}\"");
                }

                writer.WritePropertyName(key.Value);
                WriteNode(parser, writer, depth + 1);
            }

            writer.WriteEndObject();
        }
        else
        {
            var current = parser.Current!;
            throw new YamlException(current.Start, current.End, current is AnchorAlias
                ? "YAML aliases (*name) are not supported"
                : $"unexpected {current.GetType().Name}");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, Scalar scalar)
    {
        var value = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain || !scalar.Tag.IsEmpty)
        {
            writer.WriteStringValue(value);
            return;
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                writer.WriteNullValue();
                return;
            case "true" or "True" or "TRUE":
                writer.WriteBooleanValue(true);
                return;
            case "false" or "False" or "FALSE":
                writer.WriteBooleanValue(false);
                return;
        }

        if (IsJsonNumber(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            writer.WriteRawValue(value.TrimStart('+'), skipInputValidation: false);
            return;
        }

        writer.WriteStringValue(value);
    }

    // YAML 1.2 core-schema numbers that are also JSON numbers; anything else (0x1F, 1_000, .inf) stays a string.
    private static bool IsJsonNumber(string s)
    {
        var i = 0;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
        {
            i++;
        }

        var intStart = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        if (i == intStart || (s[intStart] == '0' && i - intStart > 1))
        {
            return false;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            var fracStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == fracStart)
            {
                return false;
            }
        }

        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            if (i < s.Length && (s[i] == '-' || s[i] == '+'))
            {
                i++;
            }

            var expStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == expStart)
            {
                return false;
            }
        }

        return i == s.Length;
    }
}
