using System.Reflection;
using System.Text.Json.Nodes;
using AdmissionGuard.Chart.Tests.Support;
using AdmissionGuard.Policies;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Chart.Tests;

public class CrdTests
{
    [Theory]
    [MemberData(nameof(Crds.Files), MemberType = typeof(Crds))]
    public void Crd_ParsesStrictly_WithOneServedStorageVersionInTheGroup(string file)
    {
        var crd = Crds.Typed(file);

        Assert.Equal("admissionguard.io", crd.Spec.Group);
        Assert.Equal($"{crd.Spec.Names.Plural}.admissionguard.io.yaml", file);
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal("v1alpha1", version.Name);
        Assert.True(version.Served);
        Assert.True(version.Storage);
        Assert.Contains("admissionguard", crd.Spec.Names.Categories);
    }

    [Theory]
    [InlineData("HardenedImageSource", "his", "Cluster")]
    [InlineData("ClusterImagePolicy", "cip", "Cluster")]
    [InlineData("ImagePolicy", "ip", "Namespaced")]
    [InlineData("ImageScan", "iscan", "Cluster")]
    public void Crd_KindShortNameAndScope_MatchApiMd(string kind, string shortName, string scope)
    {
        var crd = Crds.TypedByKind(kind);

        Assert.Equal([shortName], crd.Spec.Names.ShortNames);
        Assert.Equal(scope, crd.Spec.Scope);
    }

    [Theory]
    [InlineData("HardenedImageSource", true, "Ready,Age")]
    [InlineData("ClusterImagePolicy", true, "Mode,Ready,Age")]
    [InlineData("ImagePolicy", true, "Mode,Ready,Age")]
    [InlineData("ImageScan", false, "Image,Grade,Scanned")]
    public void Crd_StatusSubresourceAndPrinterColumns(string kind, bool hasStatus, string columns)
    {
        var version = Crds.TypedByKind(kind).Spec.Versions[0];

        Assert.Equal(hasStatus, version.Subresources?.Status is not null);
        Assert.Equal(columns.Split(','), version.AdditionalPrinterColumns.Select(c => c.Name));
        if (hasStatus)
        {
            Assert.Contains(version.AdditionalPrinterColumns, c => c.Name == "Ready" && c.JsonPath == ".status.conditions[?(@.type==\"Ready\")].status");
        }
    }

    [Theory]
    [MemberData(nameof(Crds.Files), MemberType = typeof(Crds))]
    public void Crd_Schema_IsStructural(string file)
    {
        var schema = Crds.Json(file)["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
        var problems = new List<string>();

        CheckStructural(schema, "", problems);

        Assert.Empty(problems);
        Assert.Equal("object", (string?)schema["properties"]!["metadata"]!["type"]);
        Assert.Null(schema["properties"]!["metadata"]!["properties"]); // only name/generateName may be constrained; we constrain none
    }

    [Theory]
    [MemberData(nameof(Crds.Files), MemberType = typeof(Crds))]
    public void Crd_NothingPreservesUnknownFields(string file)
    {
        var text = Crds.Json(file).ToJsonString();

        Assert.DoesNotContain("x-kubernetes-preserve-unknown-fields", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Crds_Defaults_ValidateAgainstTheirOwnSchema()
    {
        var defaults = new List<(string Path, JsonObject Schema)>();
        foreach (var file in Crds.FileNames)
        {
            Walk(Crds.Json(file)["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject(), file, (path, node) =>
            {
                if (node.ContainsKey("default"))
                {
                    defaults.Add((path, node));
                }
            });
        }

        Assert.True(defaults.Count >= 8, $"expected the documented defaults, found {defaults.Count}");
        foreach (var (path, node) in defaults)
        {
            var errors = OpenApiSchema.Validate(OpenApiSchema.ToJsonSchema(node), node["default"]);
            Assert.True(errors.Count == 0, $"default at {path}: {string.Join("; ", errors)}");
        }
    }

    [Fact]
    public void Crds_CelRules_EachExplainThemselves()
    {
        var rules = new List<JsonObject>();
        foreach (var file in Crds.FileNames)
        {
            Walk(Crds.Json(file), file, (_, node) =>
            {
                if (node["x-kubernetes-validations"] is JsonArray array)
                {
                    rules.AddRange(array.Select(r => r!.AsObject()));
                }
            });
        }

        // rewrite-with-hardened-needs-sources and required-needs-sources on both policy kinds, the name-matches-digest rule on ImageScan.
        Assert.Equal(5, rules.Count);
        Assert.All(rules, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)r["rule"]));
            Assert.False(string.IsNullOrWhiteSpace((string?)r["message"]));
        });
    }

    [Theory]
    [InlineData("ClusterImagePolicy", """{"rewrite":{"enabled":true},"rules":{"hardened":{"sources":[]}}}""", false)]
    [InlineData("ClusterImagePolicy", """{"rewrite":{"enabled":true},"rules":{"hardened":{"required":false}}}""", false)]
    [InlineData("ClusterImagePolicy", """{"rewrite":{"enabled":true},"rules":{"hardened":{"sources":["dhi"]}}}""", true)]
    [InlineData("ClusterImagePolicy", """{"rewrite":{"enabled":true}}""", true)]
    [InlineData("ClusterImagePolicy", """{"rewrite":{"enabled":true,"pinDigest":true},"rules":{"tags":{"disallowed":["latest"]}}}""", true)]
    [InlineData("ClusterImagePolicy", """{"rewrite":{"enabled":false},"rules":{"hardened":{"required":false}}}""", true)]
    [InlineData("ClusterImagePolicy", """{"rewrite":{"pinDigest":true}}""", true)]
    [InlineData("ClusterImagePolicy", """{}""", true)]
    [InlineData("ImagePolicy", """{"rewrite":{"enabled":true},"rules":{"hardened":{"sources":[]}}}""", false)]
    [InlineData("ImagePolicy", """{"rewrite":{"enabled":true}}""", true)]
    [InlineData("ImagePolicy", """{"rewrite":{"enabled":true},"rules":{"hardened":{"sources":["dhi"]}}}""", true)]
    public void Crd_RewriteWithHardenedRuleWithoutSources_IsRejectedByItsCelRule(string kind, string spec, bool valid)
    {
        var rule = CelRules.Rule(Crds.SchemaOf(kind)["properties"]!["spec"]!);

        Assert.Equal(valid, CelRules.Evaluate(rule, spec));
    }

    [Theory]
    [InlineData("ClusterImagePolicy", """{"required":true}""", false)]
    [InlineData("ClusterImagePolicy", """{"required":true,"sources":[]}""", false)]
    [InlineData("ClusterImagePolicy", """{"required":true,"sources":["dhi"]}""", true)]
    [InlineData("ClusterImagePolicy", """{"required":false}""", true)]
    [InlineData("ClusterImagePolicy", """{"sources":["dhi"]}""", true)]
    [InlineData("ImagePolicy", """{"required":true}""", false)]
    [InlineData("ImagePolicy", """{"required":true,"sources":["dhi"]}""", true)]
    public void Crd_HardenedRequiredWithoutSources_IsRejectedByItsCelRule(string kind, string hardened, bool valid)
    {
        var rule = CelRules.Rule(Crds.SchemaOf(kind)["properties"]!["spec"]!["properties"]!["rules"]!["properties"]!["hardened"]!);

        Assert.Equal(valid, CelRules.Evaluate(rule, hardened));
    }

    [Theory]
    [InlineData("sha256-1e19569fea08c6de312a4862d532eb7007b3098b", "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78", true)]
    [InlineData("sha256-1e19569fea08c6de312a4862d532eb7007b3098c", "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78", false)]
    [InlineData("sha256-1e19569fea08c6de312a4862d532eb7007b309", "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78", false)]
    [InlineData("nginx-1.25", "sha256:1e19569fea08c6de312a4862d532eb7007b3098b4110eeaa22f34333358f0b78", false)]
    [InlineData("sha512-0123456789abcdef0123456789abcdef01234567", "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    public void Crd_ImageScanNameNotFromDigest_IsRejectedByItsCelRule(string name, string digest, bool valid)
    {
        var rule = CelRules.Rule(Crds.SchemaOf("ImageScan"));

        Assert.Equal(valid, CelRules.Evaluate(rule, $$$"""{"metadata":{"name":"{{{name}}}"},"spec":{"digest":"{{{digest}}}"}}"""));
    }

    [Fact]
    public void PolicyCrds_ClusterAndNamespaced_ShareOneSpecAndStatusSchema()
    {
        var cluster = Crds.SchemaOf("ClusterImagePolicy");
        var namespaced = Crds.SchemaOf("ImagePolicy");

        Assert.True(JsonNode.DeepEquals(cluster["properties"]!["spec"], namespaced["properties"]!["spec"]), "ImagePolicy spec schema drifted from ClusterImagePolicy's");
        Assert.True(JsonNode.DeepEquals(cluster["properties"]!["status"], namespaced["properties"]!["status"]));
    }

    [Theory]
    [MemberData(nameof(Crds.Files), MemberType = typeof(Crds))]
    public void ManifestCrds_AreTheChartCrds(string file)
    {
        // manifests/crds holds links to the chart's files, so there is one copy to edit; comparing the two paths'
        // contents would compare a file with itself. What can go wrong is a link replaced by a copy or pointing
        // elsewhere: check where each one leads.
        var manifest = new FileInfo(Path.Combine(RepoPaths.ManifestCrds, file));
        var chart = Path.GetFullPath(Path.Combine(RepoPaths.ChartCrds, file));

        Assert.True(manifest.Exists, $"manifests/crds/{file} is missing");
        var target = manifest.ResolveLinkTarget(returnFinalTarget: true);
        Assert.True(target is not null, $"manifests/crds/{file} is a copy, not a link to the chart's file: copies drift");
        Assert.Equal(chart, Path.GetFullPath(target.FullName));
    }

    [Fact]
    public void ManifestCrds_HoldExactlyTheChartCrds()
    {
        var manifests = Directory.GetFiles(RepoPaths.ManifestCrds).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(Crds.FileNames.Order(StringComparer.Ordinal), manifests);
    }

    [Theory]
    [InlineData("ClusterImagePolicy", "spec", typeof(ImagePolicySpec))]
    [InlineData("ClusterImagePolicy", "status", typeof(ResourceStatus))]
    [InlineData("HardenedImageSource", "spec", typeof(HardenedImageSourceSpec))]
    [InlineData("HardenedImageSource", "status", typeof(ResourceStatus))]
    [InlineData("ImageScan", "spec", typeof(ImageScanSpec))]
    public void CrdSchema_FieldNames_MatchTheCSharpModel(string kind, string field, Type model)
    {
        var problems = new List<string>();

        CompareFields(Crds.SchemaOf(kind)["properties"]![field]!.AsObject(), model, $"{kind}.{field}", problems);

        Assert.Empty(problems);
    }

    private static void CompareFields(JsonObject schema, Type model, string path, List<string> problems)
    {
        var schemaFields = schema["properties"]?.AsObject().Select(p => p.Key).ToHashSet() ?? [];
        var modelProperties = model.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]);

        problems.AddRange(schemaFields.Except(modelProperties.Keys).Select(f => $"{path}.{f} is in the CRD but not in {model.Name}"));
        problems.AddRange(modelProperties.Keys.Except(schemaFields).Select(f => $"{path}.{f} is in {model.Name} but not in the CRD"));

        foreach (var (name, property) in modelProperties.Where(p => schemaFields.Contains(p.Key)))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var child = schema["properties"]![name]!.AsObject();
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                type = type.GetGenericArguments()[0];
                child = child["items"]!.AsObject();
            }

            if (type.Assembly == typeof(ImagePolicySpec).Assembly && type.IsClass)
            {
                CompareFields(child, type, $"{path}.{name}", problems);
            }
        }
    }

    private static void CheckStructural(JsonObject node, string path, List<string> problems)
    {
        var type = (string?)node["type"];
        if (string.IsNullOrEmpty(type))
        {
            problems.Add($"{path}: no type");
        }

        if (node.ContainsKey("properties") && node.ContainsKey("additionalProperties"))
        {
            problems.Add($"{path}: properties and additionalProperties together");
        }

        if (node["additionalProperties"] is JsonValue)
        {
            problems.Add($"{path}: additionalProperties must be a schema, not a boolean");
        }

        foreach (var forbidden in new[] { "$ref", "definitions", "dependencies", "oneOf", "anyOf", "allOf", "not" })
        {
            if (node.ContainsKey(forbidden))
            {
                problems.Add($"{path}: {forbidden} is not allowed (or needs care) in a structural schema");
            }
        }

        if (type == "array" && node["items"] is not JsonObject)
        {
            problems.Add($"{path}: array without a single items schema");
        }

        if (node["x-kubernetes-list-map-keys"] is JsonArray keys)
        {
            var required = node["items"]?["required"]?.AsArray().Select(r => (string?)r).ToHashSet() ?? [];
            problems.AddRange(keys.Select(k => (string?)k).Where(k => !required.Contains(k)).Select(k => $"{path}: list-map key {k} is not required"));
        }

        foreach (var (name, child) in node["properties"]?.AsObject() ?? [])
        {
            CheckStructural(child!.AsObject(), $"{path}.{name}", problems);
        }

        if (node["items"] is JsonObject items)
        {
            CheckStructural(items, path + "[]", problems);
        }

        if (node["additionalProperties"] is JsonObject additional)
        {
            CheckStructural(additional, path + "{}", problems);
        }
    }

    private static void Walk(JsonObject node, string path, Action<string, JsonObject> visit)
    {
        visit(path, node);
        foreach (var (name, child) in node)
        {
            if (child is JsonObject o)
            {
                Walk(o, $"{path}.{name}", visit);
            }
            else if (child is JsonArray a)
            {
                foreach (var item in a.OfType<JsonObject>())
                {
                    Walk(item, $"{path}.{name}[]", visit);
                }
            }
        }
    }
}
