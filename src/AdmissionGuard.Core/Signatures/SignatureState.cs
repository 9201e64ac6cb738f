namespace AdmissionGuard.Signatures;

/// <summary>What is known of an image digest's signatures under one rule's keys.</summary>
public enum SignatureState
{
    /// <summary>Not asked yet, or the answer is not in yet.</summary>
    Unknown,

    /// <summary>A signature by one of the keys names the digest.</summary>
    Verified,

    /// <summary>No image signature is present at all.</summary>
    Unsigned,

    /// <summary>A signature is present but verifies under none of the keys, or names another digest.</summary>
    Invalid,

    /// <summary>The signature registry could not be asked (down, breaker open, refused access).</summary>
    Unreachable,

    /// <summary>No registry is consulted at all (<c>check</c> without <c>--registry</c>).</summary>
    Offline,
}
