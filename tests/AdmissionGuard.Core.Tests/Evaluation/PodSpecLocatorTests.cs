using AdmissionGuard.Admission;
using AdmissionGuard.Evaluation;

namespace AdmissionGuard.Tests.Evaluation;

/// <summary>The kinds API.md section 2 lists, where each keeps its pod spec, and every image site in it.</summary>
public class PodSpecLocatorTests
{
    [Theory]
    [InlineData("Pod")]
    [InlineData("Deployment")]
    [InlineData("ReplicaSet")]
    [InlineData("StatefulSet")]
    [InlineData("DaemonSet")]
    [InlineData("Job")]
    [InlineData("CronJob")]
    [InlineData("ReplicationController")]
    public void IsSupported_KindTheContractLists_IsTrue(string kind) => Assert.True(PodSpecLocator.IsSupported(kind));

    [Theory]
    [InlineData("PodTemplate")]
    [InlineData("pod")]
    [InlineData("Deployments")]
    [InlineData("MyCustomResource")]
    [InlineData("")]
    public void IsSupported_OtherKind_IsFalse(string kind) => Assert.False(PodSpecLocator.IsSupported(kind));

    [Theory]
    [InlineData("Deployment")]
    [InlineData("ReplicaSet")]
    [InlineData("StatefulSet")]
    [InlineData("DaemonSet")]
    [InlineData("Job")]
    [InlineData("ReplicationController")]
    public void TryLocate_Workload_ReadsTheTemplate(string kind)
    {
        var template = new WorkloadSpec { Containers = [new ContainerSpec { Name = "web", Image = "nginx" }] };
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        var workload = new WorkloadObject
        {
            Metadata = new WorkloadMeta { Labels = new Dictionary<string, string> { ["app"] = "workload" } },
            Spec = new WorkloadSpec { Template = new PodTemplate { Metadata = new WorkloadMeta { Labels = labels }, Spec = template } },
        };

        Assert.True(PodSpecLocator.TryLocate(kind, workload, out var spec, out var found, out var pointer));
        Assert.Same(template, spec);
        Assert.Same(labels, found);
        Assert.Equal("/spec/template/spec", pointer);
    }

    [Fact]
    public void TryLocate_Pod_ReadsItsOwnSpecAndLabels()
    {
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        var pod = new WorkloadObject { Metadata = new WorkloadMeta { Labels = labels }, Spec = new WorkloadSpec() };

        Assert.True(PodSpecLocator.TryLocate("Pod", pod, out var spec, out var found, out var pointer));
        Assert.Same(pod.Spec, spec);
        Assert.Same(labels, found);
        Assert.Equal("/spec", pointer);
    }

    [Fact]
    public void TryLocate_CronJob_ReadsTheJobTemplatesPodTemplate()
    {
        var template = new WorkloadSpec();
        var labels = new Dictionary<string, string> { ["app"] = "nightly" };
        var cron = new WorkloadObject
        {
            Spec = new WorkloadSpec
            {
                JobTemplate = new JobTemplate { Spec = new WorkloadSpec { Template = new PodTemplate { Metadata = new WorkloadMeta { Labels = labels }, Spec = template } } },
            },
        };

        Assert.True(PodSpecLocator.TryLocate("CronJob", cron, out var spec, out var found, out var pointer));
        Assert.Same(template, spec);
        Assert.Same(labels, found);
        Assert.Equal("/spec/jobTemplate/spec/template/spec", pointer);
    }

    [Fact]
    public void TryLocate_SupportedKindWithoutSpec_IsSupportedWithNoSpec()
    {
        Assert.True(PodSpecLocator.TryLocate("Deployment", new WorkloadObject(), out var spec, out var labels, out _));
        Assert.Null(spec);
        Assert.Null(labels);
    }

    [Fact]
    public void TryLocate_PodTemplate_IsNotEvaluated() =>
        Assert.False(PodSpecLocator.TryLocate("PodTemplate", new WorkloadObject { Spec = new WorkloadSpec() }, out _, out _, out _));

    [Fact]
    public void Sites_EveryLocation_InOrderWithPointersAndFallbackNames()
    {
        var spec = new WorkloadSpec
        {
            Containers = [new ContainerSpec { Name = "web", Image = "nginx:1.25" }, new ContainerSpec { Image = "busybox" }],
            InitContainers = [new ContainerSpec { Name = "setup" }],
            EphemeralContainers = [new ContainerSpec { Name = "debug", Image = "alpine" }],
            Volumes = [new VolumeSpec { Name = "data" }, new VolumeSpec { Image = new ImageVolumeSource { Reference = "models:v1" } }, new VolumeSpec { Name = "empty", Image = new ImageVolumeSource() }],
        };

        var sites = PodSpecLocator.Sites(spec, "/spec/template/spec");

        Assert.Equal(
            [
                new ImageSite(ImageLocation.Container, "web", 0, "nginx:1.25", "/spec/template/spec/containers/0/image"),
                new ImageSite(ImageLocation.Container, "#1", 1, "busybox", "/spec/template/spec/containers/1/image"),
                // The API server rejects a container without an image; so do the rules, which see "".
                new ImageSite(ImageLocation.InitContainer, "setup", 0, "", "/spec/template/spec/initContainers/0/image"),
                new ImageSite(ImageLocation.EphemeralContainer, "debug", 0, "alpine", "/spec/template/spec/ephemeralContainers/0/image"),
                new ImageSite(ImageLocation.ImageVolume, "#1", 1, "models:v1", "/spec/template/spec/volumes/1/image/reference"),
                new ImageSite(ImageLocation.ImageVolume, "empty", 2, "", "/spec/template/spec/volumes/2/image/reference"),
            ],
            sites);
    }

    [Fact]
    public void Sites_MoreContainersThanThePointersKept_EachPointerNamesItsOwnSite()
    {
        // The pointers of the first containers of each list are built once and kept; past them each is built.
        var spec = new WorkloadSpec
        {
            Containers = [.. Enumerable.Range(0, 20).Select(i => new ContainerSpec { Name = $"c{i}", Image = $"nginx:{i}" })],
            InitContainers = [.. Enumerable.Range(0, 18).Select(i => new ContainerSpec { Name = $"i{i}", Image = $"busybox:{i}" })],
        };

        foreach (var pointer in new[] { "/spec", "/spec/template/spec", "/spec/x" })
        {
            var sites = PodSpecLocator.Sites(spec, pointer);

            Assert.Equal(38, sites.Count);
            Assert.Equal(pointer + "/containers/0/image", sites[0].Pointer);
            Assert.Equal(pointer + "/containers/15/image", sites[15].Pointer);
            Assert.Equal(pointer + "/containers/16/image", sites[16].Pointer);
            Assert.Equal(pointer + "/containers/19/image", sites[19].Pointer);
            Assert.Equal(pointer + "/initContainers/0/image", sites[20].Pointer);
            Assert.Equal(pointer + "/initContainers/17/image", sites[37].Pointer);
            Assert.Equal("busybox:17", sites[37].Image);
        }
    }

    [Fact]
    public void Sites_NoSpec_IsEmpty() => Assert.Empty(PodSpecLocator.Sites(null, "/spec"));
}
