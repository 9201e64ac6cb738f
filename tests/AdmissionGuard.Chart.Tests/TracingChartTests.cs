using AdmissionGuard.Chart.Tests.Support;
using k8s.Models;

namespace AdmissionGuard.Chart.Tests;

/// <summary>tracing.* values become <c>serve --tracing</c> and the standard OTEL_* variables, and nothing when off.</summary>
public class TracingChartTests
{
    private static V1Container Container(string render) => Renders.OfType<V1Deployment>(render).Single().Spec.Template.Spec.Containers.Single();

    private static Dictionary<string, string> Env(V1Container container) =>
        container.Env.Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);

    [Theory]
    [MemberData(nameof(Renders.Defaults), MemberType = typeof(Renders))]
    public void Default_TracingIsOff_NoFlagAndNoOtelVariable(string render)
    {
        var container = Container(render);

        Assert.DoesNotContain("--tracing", container.Args);
        Assert.DoesNotContain(container.Env, e => e.Name.StartsWith("OTEL_", StringComparison.Ordinal));
    }

    [Fact]
    public void Enabled_PassesTheFlagAndTheStandardVariables()
    {
        var container = Container("tracing");
        var env = Env(container);

        Assert.Contains("--tracing", container.Args);
        Assert.Equal("http://otel-collector.monitoring:4318", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", env["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("parentbased_traceidratio", env["OTEL_TRACES_SAMPLER"]);
        Assert.Equal("0.25", env["OTEL_TRACES_SAMPLER_ARG"]);
        Assert.Equal("admissionguard", env["OTEL_SERVICE_NAME"]);
        // $(VAR) is expanded by the kubelet only from variables defined earlier in the list.
        var names = container.Env.Select(e => e.Name).ToList();
        Assert.True(names.IndexOf("POD_NAME") < names.IndexOf("OTEL_RESOURCE_ATTRIBUTES") && names.IndexOf("POD_NAMESPACE") < names.IndexOf("OTEL_RESOURCE_ATTRIBUTES"));
        Assert.Equal("k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME)", env["OTEL_RESOURCE_ATTRIBUTES"]);
    }

    [Fact]
    public void AllOptions_GrpcWithAWholeRatio_RendersAParseableRatio()
    {
        var env = Env(Container("all-options"));

        Assert.Equal("grpc", env["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("http://otel-collector.monitoring:4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("traceidratio", env["OTEL_TRACES_SAMPLER"]);
        Assert.Equal(1.0, double.Parse(env["OTEL_TRACES_SAMPLER_ARG"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("admission-guard-prod", env["OTEL_SERVICE_NAME"]);
    }
}
