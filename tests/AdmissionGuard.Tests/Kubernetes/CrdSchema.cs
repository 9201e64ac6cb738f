using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AdmissionGuard.Serialization;
using AdmissionGuard.Testing;
using Cel;

namespace AdmissionGuard.Tests.Kubernetes;

/// <summary>
/// One served version of a CustomResourceDefinition, applied to a write as the API server applies a structural
/// schema (k8s.io/apiextensions-apiserver): first pruning (fields the schema does not name are dropped, unless
/// <c>x-kubernetes-preserve-unknown-fields</c>; each dropped field is reported, as the server's
/// <c>unknown field "spec.x"</c> warning does), then defaulting (<c>default</c> of an absent property, top-down, and a
/// null where the schema is not nullable), then validation: type, enum, required, pattern, minLength/maxLength,
/// minimum/maximum, minItems/maxItems, format <c>date-time</c> (the only format our CRDs use on strings; the
/// int32/int64 integer formats check nothing more than the type), worded as kube-openapi's validator and
/// apiextensions' <c>kubeOpenAPIResultToFieldErrors</c> word them (<c>spec.x in body should match '...'</c>,
/// list items as <c>spec.l[0]</c>). The <c>x-kubernetes-validations</c> rules are evaluated with the Cel package,
/// only when no blocking error (type, enum, required, maxLength, maxItems) was found, as the server's strategy does;
/// otherwise it adds <c>&lt;nil&gt;: Invalid value: null: some validation rules were not checked ...</c>. A rule that
/// fails gives its reason's error at its <c>fieldPath</c> with the value the server shows (the schema type,
/// <c>"object"</c>) and its message, or <c>failed rule: &lt;rule&gt;</c>. Kubernetes' CEL string extensions
/// <c>replace</c> and <c>substring</c> are registered here; <c>oldSelf</c> (transition rules) and
/// <c>messageExpression</c> are not modelled and refuse to load. Not modelled either: list-type map key uniqueness,
/// <c>x-kubernetes-int-or-string</c>, <c>x-kubernetes-embedded-resource</c>, ObjectMeta validation of <c>metadata</c>.
/// </summary>
internal sealed class CrdSchema
{
    private static readonly Lazy<IReadOnlyList<CrdSchema>> ChartSchemas = new(() =>
        [.. Directory.GetFiles(Path.Combine(RepoPaths.Root, "charts", "admission-guard", "crds"), "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(file => Read(File.ReadAllText(file)))]);

    private readonly JsonObject root;
    private readonly Dictionary<string, CelProgramDelegate> programs = new(StringComparer.Ordinal);

    private CrdSchema(string group, string version, string kind, string plural, bool namespaced, bool statusSubresource, JsonObject root)
    {
        Group = group;
        Version = version;
        Kind = kind;
        Plural = plural;
        Namespaced = namespaced;
        StatusSubresource = statusSubresource;
        this.root = root;
        CompileRules(root);
    }

    /// <summary>Every version of every CRD in the chart's <c>crds/</c> folder.</summary>
    public static IReadOnlyList<CrdSchema> Chart => ChartSchemas.Value;

    public string Group { get; }

    public string Version { get; }

    public string Kind { get; }

    public string Plural { get; }

    public bool Namespaced { get; }

    public bool StatusSubresource { get; }

    /// <summary>The collection path this fake routes by (namespaced kinds too: the namespace is part of the key).</summary>
    public string Collection => $"/apis/{Group}/{Version}/{Plural}";

    /// <summary>Each served version of each CustomResourceDefinition in the YAML text.</summary>
    public static IReadOnlyList<CrdSchema> Read(string yaml)
    {
        var schemas = new List<CrdSchema>();
        foreach (var document in YamlDocuments.Read(yaml))
        {
            using (document)
            {
                var crd = JsonNode.Parse(document.RootElement.GetRawText())!.AsObject();
                if ((string?)crd["kind"] != "CustomResourceDefinition")
                {
                    continue;
                }

                var spec = crd["spec"]!;
                foreach (var version in spec["versions"]!.AsArray().Where(v => (bool?)v!["served"] != false))
                {
                    schemas.Add(new CrdSchema((string)spec["group"]!, (string)version!["name"]!, (string)spec["names"]!["kind"]!, (string)spec["names"]!["plural"]!,
                        (string?)spec["scope"] == "Namespaced", version["subresources"]?["status"] is not null,
                        version["schema"]!["openAPIV3Schema"]!.AsObject()));
                }
            }
        }

        return schemas;
    }

    /// <summary>Prunes, defaults and validates <paramref name="obj"/> in place, as the API server does before it stores a write.</summary>
    public SchemaOutcome Admit(JsonObject obj)
    {
        var pruned = new List<string>();
        foreach (var (name, value) in obj.ToList())
        {
            if (name is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            if (root["properties"]?[name] is JsonObject property)
            {
                Prune(value, property, name, pruned);
            }
            else
            {
                obj.Remove(name);
                pruned.Add(name);
            }
        }

        Default(obj, root);
        var errors = new List<FieldError>();
        Validate(obj, root, null, errors);
        if (errors.Any(e => e.Type is "FieldValueNotSupported" or "FieldValueRequired" or "FieldValueTooLong" or "FieldValueTooMany" or "FieldValueTypeInvalid"))
        {
            errors.Add(FieldError.Invalid(null, null, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"));
        }
        else
        {
            Rules(obj, root, null, errors);
        }

        return new SchemaOutcome(pruned, errors);
    }

    private static string Child(string? path, string name) => path is null ? name : $"{path}.{name}";

    private static void Prune(JsonNode? value, JsonObject schema, string path, List<string> pruned)
    {
        switch (value)
        {
            case JsonObject obj:
                if ((bool?)schema["x-kubernetes-preserve-unknown-fields"] == true)
                {
                    // Known properties below a preserving node are still pruned by their own schemas.
                    foreach (var (name, child) in obj)
                    {
                        if (schema["properties"]?[name] is JsonObject known)
                        {
                            Prune(child, known, Child(path, name), pruned);
                        }
                    }

                    return;
                }

                foreach (var (name, child) in obj.ToList())
                {
                    if (schema["properties"]?[name] is JsonObject property)
                    {
                        Prune(child, property, Child(path, name), pruned);
                    }
                    else if (schema["additionalProperties"] is JsonObject additional)
                    {
                        Prune(child, additional, Child(path, name), pruned);
                    }
                    else if (schema["additionalProperties"] is not JsonValue allows || !(bool)allows)
                    {
                        obj.Remove(name);
                        pruned.Add(Child(path, name));
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    Prune(array[i], items, $"{path}[{i}]", pruned);
                }

                break;
        }
    }

    private static void Default(JsonNode? value, JsonObject schema)
    {
        switch (value)
        {
            case JsonObject obj when schema["properties"] is JsonObject properties:
                foreach (var (name, property) in properties)
                {
                    var present = obj.TryGetPropertyValue(name, out var child);
                    if (present && child is null && (bool?)property!["nullable"] != true)
                    {
                        // A null where null is not allowed: the default if there is one, else the field is dropped.
                        obj.Remove(name);
                        present = false;
                    }

                    if (!present && property!["default"] is { } fallback)
                    {
                        obj[name] = fallback.DeepClone();
                    }

                    if (obj[name] is { } set)
                    {
                        Default(set, property!.AsObject());
                    }
                }

                break;
            case JsonObject obj when schema["additionalProperties"] is JsonObject additional:
                foreach (var (_, child) in obj)
                {
                    Default(child, additional);
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                foreach (var item in array)
                {
                    Default(item, items);
                }

                break;
        }
    }

    private static string TypeOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v when v.TryGetValue<string>(out _) => "string",
        JsonValue v when v.TryGetValue<bool>(out _) => "boolean",
        JsonValue v when v.TryGetValue<long>(out _) => "integer",
        _ => "number",
    };

    private static void Validate(JsonNode? value, JsonObject schema, string? path, List<FieldError> errors)
    {
        var name = path ?? "";
        var expected = (string?)schema["type"];
        var actual = TypeOf(value);
        if (expected is not null && actual != expected && !(expected == "number" && actual == "integer"))
        {
            errors.Add(FieldError.TypeInvalid(name, actual, $"{name} in body must be of type {expected}: {FieldError.Quote(actual)}"));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add(FieldError.NotSupported(name, value?.DeepClone(), allowed.Select(a => a is JsonValue v && v.TryGetValue<string>(out var s) ? s : a!.ToJsonString())));
        }

        switch (value)
        {
            case JsonObject obj:
                foreach (var required in schema["required"]?.AsArray() ?? [])
                {
                    if (!obj.ContainsKey((string)required!))
                    {
                        errors.Add(FieldError.Required(Child(path, (string)required!)));
                    }
                }

                foreach (var (key, child) in obj)
                {
                    if (schema["properties"]?[key] is JsonObject property)
                    {
                        Validate(child, property, Child(path, key), errors);
                    }
                    else if (schema["additionalProperties"] is JsonObject additional)
                    {
                        Validate(child, additional, Child(path, key), errors);
                    }
                }

                break;
            case JsonArray array:
                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        Validate(array[i], items, $"{name}[{i}]", errors);
                    }
                }

                if (schema["minItems"] is { } minItems && array.Count < (long)minItems)
                {
                    errors.Add(FieldError.Invalid(name, array.Count, $"{name} in body should have at least {(long)minItems} items"));
                }

                if (schema["maxItems"] is { } maxItems && array.Count > (long)maxItems)
                {
                    errors.Add(FieldError.TooMany(name, array.Count, (long)maxItems));
                }

                break;
            case JsonValue v when v.TryGetValue<string>(out var text):
                var length = text.EnumerateRunes().Count();
                if (schema["maxLength"] is { } maxLength && length > (long)maxLength)
                {
                    errors.Add(FieldError.TooLong(name, (long)maxLength));
                }

                if (schema["minLength"] is { } minLength && length < (long)minLength)
                {
                    errors.Add(FieldError.Invalid(name, text, $"{name} in body should be at least {(long)minLength} chars long"));
                }

                if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, (string)pattern!, RegexOptions.CultureInvariant))
                {
                    errors.Add(FieldError.Invalid(name, text, $"{name} in body should match '{(string)pattern!}'"));
                }

                if ((string?)schema["format"] == "date-time" && !IsDateTime(text))
                {
                    errors.Add(FieldError.TypeInvalid(name, text, $"{name} in body must be of type date-time: {FieldError.Quote(text)}"));
                }

                break;
            case JsonValue v when actual is "integer" or "number":
                var number = v.GetValue<double>();
                if (schema["minimum"] is { } minimum && number < (double)minimum)
                {
                    errors.Add(FieldError.Invalid(name, v.DeepClone(), $"{name} in body should be greater than or equal to {Number(minimum)}"));
                }

                if (schema["maximum"] is { } maximum && number > (double)maximum)
                {
                    errors.Add(FieldError.Invalid(name, v.DeepClone(), $"{name} in body should be less than or equal to {Number(maximum)}"));
                }

                break;
        }
    }

    private static string Number(JsonNode bound) => ((double)bound).ToString(CultureInfo.InvariantCulture);

    /// <summary>strfmt's date-time: RFC 3339, with or without fractional seconds.</summary>
    private static bool IsDateTime(string text) =>
        Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);

    private void CompileRules(JsonObject schema)
    {
        foreach (var rule in schema["x-kubernetes-validations"]?.AsArray() ?? [])
        {
            var expression = (string)rule!["rule"]!;
            if (rule["messageExpression"] is not null || expression.Contains("oldSelf", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"the fake API server does not model messageExpression or transition rules: {expression}");
            }

            programs[expression] = KubernetesCel.Environment.Compile(expression);
        }

        foreach (var child in Children(schema))
        {
            CompileRules(child);
        }
    }

    private static IEnumerable<JsonObject> Children(JsonObject schema)
    {
        foreach (var (_, property) in schema["properties"]?.AsObject() ?? [])
        {
            yield return property!.AsObject();
        }

        if (schema["items"] is JsonObject items)
        {
            yield return items;
        }

        if (schema["additionalProperties"] is JsonObject additional)
        {
            yield return additional;
        }
    }

    private void Rules(JsonNode? value, JsonObject schema, string? path, List<FieldError> errors)
    {
        if (value is null)
        {
            return;
        }

        foreach (var rule in schema["x-kubernetes-validations"]?.AsArray() ?? [])
        {
            var expression = (string)rule!["rule"]!;
            object? verdict;
            try
            {
                verdict = programs[expression](new Dictionary<string, object?> { ["self"] = KubernetesCel.Value(value) });
            }
            catch (Exception e) when (e is CelException or ArgumentOutOfRangeException)
            {
                // A rule that cannot be evaluated on this object is an invalid value at the rule's node, with the cause.
                errors.Add(FieldError.Invalid(path, (string?)schema["type"] ?? "object", $"{RuleText(rule)}: {e.Message}"));
                continue;
            }

            if (verdict is true)
            {
                continue;
            }

            if (verdict is not false)
            {
                throw new InvalidOperationException($"rule {expression} evaluated to {verdict}, not a bool");
            }

            var at = path;
            foreach (var segment in ((string?)rule["fieldPath"] ?? "").Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                at = Child(at, segment);
            }

            var message = ((string?)rule["message"])?.Trim() is { Length: > 0 } ? RuleText(rule) : $"failed rule: {RuleText(rule)}";
            var type = (string?)schema["type"] ?? "object";
            errors.Add((string?)rule["reason"] switch
            {
                "FieldValueForbidden" => FieldError.Forbidden(at ?? "<nil>", message),
                "FieldValueRequired" => FieldError.Required(at ?? "<nil>") with { Body = $"Required value: {message}" },
                "FieldValueDuplicate" => FieldError.Duplicate(at ?? "<nil>", type),
                _ => FieldError.Invalid(at, type, message),
            });
        }

        switch (value)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    if (schema["properties"]?[key] is JsonObject property)
                    {
                        Rules(child, property, Child(path, key), errors);
                    }
                    else if (schema["additionalProperties"] is JsonObject additional)
                    {
                        Rules(child, additional, Child(path, key), errors);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    Rules(array[i], items, $"{path}[{i}]", errors);
                }

                break;
        }
    }

    private static string RuleText(JsonNode rule) => (((string?)rule["message"])?.Trim() is { Length: > 0 } message ? message : (string)rule["rule"]!).Trim();
}
