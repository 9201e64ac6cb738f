using System.Text;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using AdmissionGuard.Scans;
using AdmissionGuard.Serialization;

namespace AdmissionGuard.Fuzz;

/// <summary>
/// The YAML policy loader: <see cref="ManifestSet.AddText"/> reports bad input in <see cref="ManifestSet.Errors"/>
/// and <see cref="PolicyCompiler.Compile"/> in <see cref="PolicySnapshot.Errors"/>; neither documents an
/// exception, so nothing is caught. Whatever compiles is then evaluated against the workloads of the same
/// input, so compiled globs and selectors meet the fuzzer too.
/// </summary>
internal sealed class PolicyTarget
{
    private const int MaxWorkloads = 4;

    private readonly PolicyEngine engine = new(ScanIndex.Empty, NoRegistryFacts.Instance, TimeProvider.System);

    public void Run(ReadOnlyMemory<byte> input)
    {
        var set = new ManifestSet();
        set.AddText(Encoding.UTF8.GetString(input.Span), "fuzz.yaml");
        var snapshot = PolicyCompiler.Compile(set.Sources, set.Policies);
        ScanIndex.Build(set.Scans, GradeScale.Default);
        foreach (var error in snapshot.Errors)
        {
            FuzzFinding.Check(!string.IsNullOrEmpty(error.ToString()), "a policy error has no text");
        }

        foreach (var workload in set.Workloads.Take(MaxWorkloads))
        {
            var ns = workload.Object.Metadata?.Namespace ?? "default";
            var evaluation = new EvaluationInput(workload.Kind, workload.Object, ns, set.LabelsOf(ns));
            var mutation = engine.Evaluate(snapshot, evaluation, EvaluationPurpose.Mutate);
            FuzzFinding.Check(mutation.Allowed, "the mutating pass denied");
            engine.Evaluate(snapshot, evaluation, EvaluationPurpose.Validate);
        }
    }
}
