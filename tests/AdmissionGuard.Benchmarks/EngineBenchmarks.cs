using AdmissionGuard.Admission;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Policies;
using AdmissionGuard.Registry;
using BenchmarkDotNet.Attributes;

namespace AdmissionGuard.Benchmarks;

/// <summary>
/// Issue 2: the pure engine on a 3-container Pod against 10 compiled policies that all apply
/// (production plus nine like it in Enforce, Warn and Audit). Aim: under 4 KB allocated, no I/O.
/// "denied" swaps the first image for an unhardened one, so every policy reports it.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private PolicySnapshot snapshot = PolicySnapshot.Empty;
    private PolicyEngine engine = null!;
    private EvaluationInput input = null!;

    [Params("allowed", "denied")]
    public string Pod { get; set; } = "allowed";

    [GlobalSetup]
    public void Setup()
    {
        var set = Fixtures.Load(9, Fixtures.ProdPolicy);
        snapshot = Fixtures.Compile(set);
        engine = new PolicyEngine(Fixtures.Scans(set), NoRegistryFacts.Instance, Fixtures.Clock);
        WorkloadObject pod = Fixtures.PodOf("pod-3-create");
        if (Pod == "denied")
        {
            pod.Spec!.Containers![0].Image = "nginx:1.25";
        }

        input = new EvaluationInput("Pod", pod, "prod", set.NamespaceLabels["prod"]);
        var verdict = engine.Evaluate(snapshot, input, EvaluationPurpose.Validate);
        if (verdict.Allowed != (Pod == "allowed") || snapshot.PolicyCount != 10)
        {
            throw new InvalidOperationException($"fixture is wrong: allowed={verdict.Allowed}, policies={snapshot.PolicyCount}, message={verdict.Message}");
        }
    }

    [Benchmark]
    public Verdict Validate() => engine.Evaluate(snapshot, input, EvaluationPurpose.Validate);

    [Benchmark]
    public Verdict Mutate() => engine.Evaluate(snapshot, input, EvaluationPurpose.Mutate);
}
