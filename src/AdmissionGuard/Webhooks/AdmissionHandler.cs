using System.Text.Json;
using AdmissionGuard.Admission;
using AdmissionGuard.Evaluation;
using AdmissionGuard.Hosting;
using AdmissionGuard.Registry;
using AdmissionGuard.Serialization;
using AdmissionGuard.Telemetry;

namespace AdmissionGuard.Webhooks;

/// <summary>
/// The one place that speaks AdmissionReview: decode, evaluate with the pure engine, encode.
/// Every outcome is either a valid AdmissionReview or an explicit 4xx, never an exception.
/// </summary>
/// <remarks>Built by the container (<c>AddAdmissionGuard</c>); what a mode does not register (the warmer, pull scopes,
/// decision records, signatures) is left out.</remarks>
internal sealed class AdmissionHandler(
    AdmissionStateStore store,
    IRegistryFacts registry,
    AdmissionMetrics metrics,
    WebhookOptions options,
    TimeProvider time,
    ILogger<AdmissionHandler> logger,
    IRegistryWarmer? warmer = null,
    IPullScopes? pullScopes = null,
    DecisionRecordWriter? records = null,
    SignatureFactCache? signatures = null)
{
    // ValueTask down the chain: an admission whose facts are all cached completes synchronously and allocates no task.
    public async ValueTask<AdmissionResult> HandleAsync(ReadOnlyMemory<byte> body, EvaluationPurpose purpose, CancellationToken cancellationToken)
    {
        var result = await DecideAsync(body, purpose, cancellationToken).ConfigureAwait(false);

        // API.md: /mutate never denies. Whatever /mutate could not judge (no object, a malformed one, a timeout),
        // /validate receives the same request and denies with the reason; a mutating denial would only duplicate it.
        return purpose == EvaluationPurpose.Mutate && result is AdmissionResult.Denied denied ? denied.AsAllowed() : result;
    }

    private async ValueTask<AdmissionResult> DecideAsync(ReadOnlyMemory<byte> body, EvaluationPurpose purpose, CancellationToken cancellationToken)
    {
        if (Open(body, out var request) is { } invalid)
        {
            return invalid;
        }

        var kind = request.Kind?.Kind ?? request.Object?.Kind ?? "";
        var operation = request.Operation ?? "";
        if (operation is "DELETE" or "CONNECT")
        {
            return Allow(request.Uid!, kind, operation, AdmissionDecision.Skipped);
        }

        // Subresources other than a Pod's ephemeral containers cannot change images.
        if (!string.IsNullOrEmpty(request.SubResource) && !(kind == "Pod" && request.SubResource == "ephemeralcontainers"))
        {
            return Allow(request.Uid!, kind, operation, AdmissionDecision.Skipped);
        }

        // A custom resource that happens to be called "Deployment" is not one: the group decides.
        if (!PodSpecLocator.IsSupported(kind) || request.Kind?.Group is { } group && group != ExpectedGroup(kind))
        {
            return Allow(request.Uid!, kind, operation, AdmissionDecision.UnknownKind);
        }

        if (request.Object is null)
        {
            return Deny(request.Uid!, $"{operation} of {kind} carries no object to evaluate", kind, operation, AdmissionDecision.Invalid);
        }

        if (operation is not ("CREATE" or "UPDATE"))
        {
            return Deny(request.Uid!, $"operation \"{operation}\" is not CREATE, UPDATE, DELETE or CONNECT", kind, operation, AdmissionDecision.Invalid);
        }

        try
        {
            return await EvaluateAsync(request, kind, operation, purpose, cancellationToken).ConfigureAwait(false)
                ?? Deny(request.Uid!, $"AdmissionGuard could not decide within {options.Deadline.TotalSeconds:0.###}s; try again", kind, operation, AdmissionDecision.Timeout);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Fail closed with a reason, never a 500 with a stack trace.
            logger.LogError(e, "evaluating {Kind} {Uid} failed", kind, request.Uid);
            return Deny(request.Uid!, $"AdmissionGuard failed to evaluate this {kind}: {e.GetType().Name}", kind, operation, AdmissionDecision.Error);
        }
    }

    /// <summary>
    /// Decodes the envelope both admission handlers share: a failure is a plain 400, or a denial when the uid can
    /// still be read; on success <paramref name="request"/> has a uid.
    /// </summary>
    internal static AdmissionResult? Open(ReadOnlyMemory<byte> body, out AdmissionRequest request)
    {
        request = null!;
        // The one-pass reader takes what the API server sends; anything else goes through the serializer, whose
        // semantics and error messages stay those of odd input.
        if (!AdmissionReviewReader.TryRead(body.Span, out var review))
        {
            try
            {
                review = JsonSerializer.Deserialize(body.Span, AgJsonContext.Default.AdmissionReview);
            }
            catch (JsonException e)
            {
                var uid = TryReadUid(body.Span);
                var reason = $"malformed AdmissionReview: {Describe(e)}";
                return uid is null ? BadRequest(reason) : Deny(uid, reason, "?", "?", AdmissionDecision.Invalid);
            }
        }

        if (review is null)
        {
            return BadRequest("body is JSON null, not an AdmissionReview");
        }

        if (review.ApiVersion != AdmissionReview.V1 || review.Kind != AdmissionReview.KindName)
        {
            return BadRequest($"expected apiVersion {AdmissionReview.V1} and kind {AdmissionReview.KindName}, got \"{review.ApiVersion}\" and \"{review.Kind}\"");
        }

        if (review.Request is null)
        {
            return BadRequest("AdmissionReview has no request");
        }

        request = review.Request;
        if (string.IsNullOrEmpty(request.Uid))
        {
            return BadRequest("AdmissionReview request has no uid");
        }

        return null;
    }

    /// <summary>The answer from the engine's verdict; null when the deadline passed while waiting for registry facts.</summary>
    private async ValueTask<AdmissionResult?> EvaluateAsync(AdmissionRequest request, string kind, string operation, EvaluationPurpose purpose, CancellationToken cancellationToken)
    {
        var state = store.Current;
        var ns = request.Namespace ?? request.Object!.Metadata?.Namespace ?? "default";
        var input = new EvaluationInput(kind, request.Object!, ns, state.LabelsOf(ns), OldObject: operation == "UPDATE" ? request.OldObject : null);
        // Twins are verified with the credentials this workload will pull with (cluster mode, --workload-pull-secrets).
        var scope = pullScopes is not null && PodSpecLocator.TryLocate(kind, request.Object!, out var spec, out _, out _)
            ? pullScopes.For(ns, spec, kind == "Pod")
            : PullScope.Default;
        var facts = warmer?.For(scope) ?? registry;
        var signed = signatures is null ? null : new SignatureRequestFacts(facts, signatures, scope);
        // Traced requests read their facts through a counter (cache hits and misses on the span); others read them directly.
        var admission = Tracing.CurrentAdmission;
        var traced = admission is null ? null : new TracedFacts((IRegistryFacts?)signed ?? facts, state.Scans);
        var engine = new PolicyEngine((Scans.IScanFacts?)traced ?? state.Scans, (IRegistryFacts?)traced ?? (IRegistryFacts?)signed ?? facts, time);
        var started = time.GetTimestamp();
        Verdict? verdict = Judge(engine, state.Snapshot, input, purpose, traced, admission);
        if (warmer is not null && RegistryRounds.NeedsRound(verdict, signed))
        {
            verdict = await AskRegistryAsync(verdict, engine, state.Snapshot, input, purpose, traced, admission, warmer, signed, scope, started, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (verdict is null)
        {
            return null;
        }

        if (admission is not null)
        {
            PodSpecLocator.TryLocate(kind, request.Object!, out _, out var podLabels, out _);
            Tracing.Judged(admission, ns, request.Name ?? request.Object?.Metadata?.Name, request.Uid!, request.DryRun ?? false, state.Snapshot, input.NamespaceLabels, podLabels, verdict);
        }

        WriteDecisionRecords(request, kind, ns, purpose, verdict, state);
        var uid = request.Uid!;
        if (purpose == EvaluationPurpose.Mutate)
        {
            if (verdict.Rewrites.Count == 0)
            {
                return Allow(uid, kind, operation, AdmissionDecision.Allowed);
            }

            foreach (var rewrite in verdict.Rewrites)
            {
                metrics.Rewrite(rewrite.PolicyId, Adoption.VulnerabilityCounts.Removed(state.Scans, rewrite.From, rewrite.To));
            }

            return new AdmissionResult.Patched(uid, kind, operation, JsonPatchBuilder.Build(verdict.Rewrites));
        }

        foreach (var image in verdict.Images)
        {
            foreach (var violation in image.Violations)
            {
                metrics.Violation(violation.PolicyId, violation.Rule);
            }
        }

        var warnings = AdmissionWarnings.From(verdict.Warnings);
        var annotations = verdict.AuditAnnotations.Count != 0 ? verdict.AuditAnnotations : null;
        if (!verdict.Allowed)
        {
            return new AdmissionResult.Denied(uid, kind, operation, AdmissionDecision.Denied, verdict.Message, Warnings: warnings, AuditAnnotations: annotations);
        }

        var decision = !warnings.IsEmpty ? AdmissionDecision.Warned : annotations is not null ? AdmissionDecision.Audited : AdmissionDecision.Allowed;
        return new AdmissionResult.Allowed(uid, kind, operation, decision, warnings, annotations);
    }

    private static Verdict Judge(PolicyEngine engine, Policies.PolicySnapshot snapshot, EvaluationInput input, EvaluationPurpose purpose, TracedFacts? traced, System.Diagnostics.Activity? admission) =>
        traced is null ? engine.Evaluate(snapshot, input, purpose) : JudgeTraced(engine, snapshot, input, purpose, traced, admission!);

    // Apart from Judge, so that only a traced request allocates the closure.
    private static Verdict JudgeTraced(PolicyEngine engine, Policies.PolicySnapshot snapshot, EvaluationInput input, EvaluationPurpose purpose, TracedFacts traced, System.Diagnostics.Activity admission) =>
        traced.Evaluate(admission, () => engine.Evaluate(snapshot, input, purpose));

    /// <summary>
    /// The verdict lacked facts (tags to resolve, signatures to verify): ask for them within the budget and judge again.
    /// Only these waits need the deadline's timer (the evaluation is synchronous CPU work), so a request whose facts are
    /// all cached creates no token source and no closure. The deadline still counts from <paramref name="started"/>,
    /// before the first evaluation.
    /// </summary>
    /// <returns>The last verdict, or null when the deadline passed while waiting.</returns>
    private async ValueTask<Verdict?> AskRegistryAsync(
        Verdict first, PolicyEngine engine, Policies.PolicySnapshot snapshot, EvaluationInput input, EvaluationPurpose purpose, TracedFacts? traced, System.Diagnostics.Activity? admission,
        IRegistryWarmer warmer, SignatureRequestFacts? signed, PullScope scope, long started, CancellationToken cancellationToken)
    {
        var remaining = options.Deadline - time.GetElapsedTime(started);
        using var deadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        return await RegistryRounds.ContinueAsync(first, () => Judge(engine, snapshot, input, purpose, traced, admission), warmer, signed, scope, options.RegistryBudget, eachRound: false, time, linked.Token).ConfigureAwait(false);
    }

    /// <summary>Offers one record per violating image and policy (and per rewrite); a clean request writes nothing.</summary>
    // A loop, not LINQ: every clean request passes here, and it should allocate nothing.
    private static bool AnyViolation(IReadOnlyList<ImageResult> images)
    {
        for (var i = 0; i < images.Count; i++)
        {
            if (images[i].Violations.Count != 0)
            {
                return true;
            }
        }

        return false;
    }

    private void WriteDecisionRecords(AdmissionRequest request, string kind, string ns, EvaluationPurpose purpose, Verdict verdict, AdmissionState state)
    {
        if (records is null || (verdict.Rewrites.Count == 0 && !AnyViolation(verdict.Images)))
        {
            return;
        }

        var collected = new List<DecisionRecord>();
        DecisionRecords.Collect(collected, time.GetUtcNow(), purpose == EvaluationPurpose.Mutate ? "mutate" : "validate", ns, kind,
            request.Name ?? request.Object?.Metadata?.Name ?? "", request.Uid!, request.DryRun ?? false, verdict, state.Snapshot);
        foreach (var record in collected)
        {
            records.TryWrite(record);
        }
    }

    private static string ExpectedGroup(string kind) => kind switch
    {
        "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet" => "apps",
        "Job" or "CronJob" => "batch",
        _ => "",
    };

    internal static AdmissionResult.Allowed Allow(string uid, string kind, string operation, AdmissionDecision decision) =>
        new(uid, kind, operation, decision);

    internal static AdmissionResult.Denied Deny(string uid, string? message, string kind, string operation, AdmissionDecision decision) =>
        new(uid, kind, operation, decision, message);

    private static AdmissionResult.Rejected BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return e.Path is { Length: > 0 } path ? $"{message} (at {path})" : message;
    }

    /// <summary>Finds <c>request.uid</c> in a body that failed to decode, so the answer can still be a review.</summary>
    internal static string? TryReadUid(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            var inRequest = false;
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                if (reader.CurrentDepth == 1 && reader.ValueTextEquals("request"u8))
                {
                    inRequest = true;
                }
                else if (reader.CurrentDepth == 1)
                {
                    inRequest = false;
                }
                else if (inRequest && reader.CurrentDepth == 2 && reader.ValueTextEquals("uid"u8))
                {
                    reader.Read();
                    return reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 and <= 128 } uid ? uid : null;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // GetString throws InvalidOperationException, not JsonException, on invalid UTF-8 in the uid (found by fuzzing).
        }

        return null;
    }

    internal static byte[] Encode(AdmissionReview review) => JsonSerializer.SerializeToUtf8Bytes(review, AgJsonContext.Wire.AdmissionReview);

}
