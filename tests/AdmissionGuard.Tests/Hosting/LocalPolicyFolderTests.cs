using AdmissionGuard.Hosting;
using AdmissionGuard.Scans;

namespace AdmissionGuard.Tests.Hosting;

/// <summary>
/// The folder serve reads before it starts is the read the loader serves first: it is not read a second time, and
/// what it finds wrong names the file to open.
/// </summary>
public sealed class LocalPolicyFolderTests : IDisposable
{
    private readonly string _policies = Directory.CreateTempSubdirectory("ag-folder-").FullName;

    public void Dispose() => Directory.Delete(_policies, recursive: true);

    private LocalPolicyFolder Folder() => new(new LocalPolicyOptions(_policies, null, GradeScale.Default));

    private string Write(string name, string policyName, string mode)
    {
        var path = Path.Combine(_policies, name);
        File.WriteAllText(path, $"apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {{name: {policyName}}}\nspec: {{mode: {mode}}}\n");
        return path;
    }

    [Fact]
    public void ReadFirst_ThenReadNow_ServesThatReadWithoutReadingAgain()
    {
        Write("a.yaml", "first", "Warn");
        var folder = Folder();

        Assert.Empty(folder.ReadFirst());
        // A file added after the start's read is the next poll's change, not part of the first load.
        Write("b.yaml", "second", "Warn");
        var served = folder.ReadNow();

        Assert.Equal(1, served.State.Snapshot.PolicyCount);
        var next = folder.ReadIfChanged();
        Assert.NotNull(next);
        Assert.Equal(2, next.State.Snapshot.PolicyCount);
        Assert.Null(folder.ReadIfChanged());
    }

    [Fact]
    public void ReadNow_WithoutReadFirst_Reads()
    {
        Write("a.yaml", "first", "Warn");

        Assert.Equal(1, Folder().ReadNow().State.Snapshot.PolicyCount);
    }

    [Fact]
    public void ReadFirst_PolicyThatDoesNotCompile_NamesItsFile()
    {
        Write("a.yaml", "good", "Warn");
        var bad = Write("b.yaml", "strict", "Enforced");

        var problems = Folder().ReadFirst();

        var problem = Assert.Single(problems);
        Assert.Equal($"{bad}: ClusterImagePolicy/strict: spec.mode: \"Enforced\" is not one of Enforce, Warn, Audit; did you mean \"Enforce\"?", problem);
    }

    [Fact]
    public void ReadIfChanged_InvalidEdit_KeepsTheLastGoodVersionAndSaysSo()
    {
        var path = Write("a.yaml", "kept", "Warn");
        var folder = Folder();
        Assert.Empty(folder.ReadFirst());
        folder.ReadNow();

        File.WriteAllText(path, "apiVersion: admissionguard.io/v1alpha1\nkind: ClusterImagePolicyy\nmetadata: {name: kept}\nspec: {mode: Warn}\n");
        var read = folder.ReadIfChanged();

        Assert.NotNull(read);
        Assert.Equal(1, read.State.Snapshot.PolicyCount);
        var problem = Assert.Single(read.Problems);
        Assert.Equal(FolderProblemKind.File, problem.Kind);
        Assert.Contains("unknown kind \"ClusterImagePolicyy\"", problem.Text, StringComparison.Ordinal);
    }
}
