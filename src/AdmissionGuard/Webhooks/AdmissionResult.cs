namespace AdmissionGuard.Webhooks;

/// <summary>An HTTP answer: a review to encode, or a plain-text 4xx for what is not a review at all.</summary>
internal readonly record struct AdmissionResult(int StatusCode, Admission.AdmissionReview? Review, string? Error, string Kind, string Operation, string Decision);
