using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace AdmissionGuard.Signatures;

/// <summary>
/// A PEM public key and the one algorithm Sigstore pairs with it: ECDSA P-256/SHA-256, P-384/SHA-384,
/// RSA with SHA-256 (PKCS#1 v1.5 or PSS), Ed25519. Verification never throws on bad signatures.
/// </summary>
public sealed class VerificationKey
{
    private static readonly Oid Ed25519Oid = new("1.3.101.112");

    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;
    private readonly Ed25519PublicKeyParameters? _ed25519;
    private readonly HashAlgorithmName _hash;

    private VerificationKey(string algorithm, string fingerprint, ECDsa? ecdsa, RSA? rsa, Ed25519PublicKeyParameters? ed25519, HashAlgorithmName hash)
    {
        Algorithm = algorithm;
        Fingerprint = fingerprint;
        _ecdsa = ecdsa;
        _rsa = rsa;
        _ed25519 = ed25519;
        _hash = hash;
    }

    /// <summary><c>ecdsa-p256</c>, <c>ecdsa-p384</c>, <c>rsa</c> or <c>ed25519</c>.</summary>
    public string Algorithm { get; }

    /// <summary>SHA-256 of the DER SubjectPublicKeyInfo, hex: identifies the key material in cache keys.</summary>
    public string Fingerprint { get; }

    public static bool TryParse(string? pem, out VerificationKey key, out string error)
    {
        key = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(pem))
        {
            error = "is empty: expected a PEM public key (-----BEGIN PUBLIC KEY-----)";
            return false;
        }

        byte[] der;
        try
        {
            var fields = PemEncoding.Find(pem);
            if (pem[fields.Label] is not ("PUBLIC KEY" or "RSA PUBLIC KEY"))
            {
                error = $"holds a \"{pem[fields.Label]}\", not a PUBLIC KEY";
                return false;
            }

            der = Convert.FromBase64String(pem[fields.Base64Data]);
            if (pem[fields.Label] == "RSA PUBLIC KEY")
            {
                var rsa = RSA.Create();
                rsa.ImportRSAPublicKey(der, out _);
                der = rsa.ExportSubjectPublicKeyInfo();
                rsa.Dispose();
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or CryptographicException)
        {
            error = "is not a PEM public key (-----BEGIN PUBLIC KEY-----)";
            return false;
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(der));
        try
        {
            var oid = SubjectPublicKeyInfoOid(der);
            if (oid == Ed25519Oid.Value)
            {
                // The 32-byte key is the last part of the 44-byte SPKI.
                if (der.Length != 44)
                {
                    error = "is not a valid Ed25519 public key";
                    return false;
                }

                key = new VerificationKey("ed25519", fingerprint, null, null, new Ed25519PublicKeyParameters(der, 12), default);
                return true;
            }

            if (oid == "1.2.840.10045.2.1")
            {
                var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(der, out _);
                var curve = ecdsa.ExportParameters(false).Curve.Oid.Value;
                switch (curve)
                {
                    case "1.2.840.10045.3.1.7":
                        key = new VerificationKey("ecdsa-p256", fingerprint, ecdsa, null, null, HashAlgorithmName.SHA256);
                        return true;
                    case "1.3.132.0.34":
                        key = new VerificationKey("ecdsa-p384", fingerprint, ecdsa, null, null, HashAlgorithmName.SHA384);
                        return true;
                    default:
                        ecdsa.Dispose();
                        error = "is an ECDSA key on a curve other than P-256 or P-384";
                        return false;
                }
            }

            if (oid is "1.2.840.113549.1.1.1" or "1.2.840.113549.1.1.10")
            {
                var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(der, out _);
                if (rsa.KeySize < 2048)
                {
                    rsa.Dispose();
                    error = $"is an RSA key of {rsa.KeySize} bits (at least 2048)";
                    return false;
                }

                key = new VerificationKey("rsa", fingerprint, null, rsa, null, HashAlgorithmName.SHA256);
                return true;
            }

            error = $"has an unsupported key algorithm ({oid}); use ECDSA P-256/P-384, RSA or Ed25519";
            return false;
        }
        catch (Exception e) when (e is CryptographicException or System.Formats.Asn1.AsnContentException)
        {
            error = "is not a valid public key";
            return false;
        }
    }

    /// <summary>Whether <paramref name="signature"/> signs <paramref name="data"/> (the data itself, hashed here).</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.IsEmpty)
        {
            return false;
        }

        try
        {
            if (_ecdsa is not null)
            {
                // Sigstore writes ASN.1 DER; accept the raw r||s form too, as Go's and WebCrypto's verifiers do not mix them up.
                return _ecdsa.VerifyData(data, signature, _hash, DSASignatureFormat.Rfc3279DerSequence)
                    || _ecdsa.VerifyData(data, signature, _hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }

            if (_rsa is not null)
            {
                return _rsa.VerifyData(data, signature, _hash, RSASignaturePadding.Pkcs1)
                    || _rsa.VerifyData(data, signature, _hash, RSASignaturePadding.Pss);
            }

            if (_ed25519 is not null)
            {
                var verifier = new Ed25519Signer();
                verifier.Init(false, _ed25519);
                verifier.BlockUpdate(data);
                return verifier.VerifySignature(signature.ToArray());
            }
        }
        catch (CryptographicException)
        {
            return false;
        }

        return false;
    }

    /// <summary>The algorithm OID of a DER SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { OID, ... }, BIT STRING }.</summary>
    private static string SubjectPublicKeyInfoOid(byte[] der)
    {
        var reader = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER);
        var spki = reader.ReadSequence();
        var algorithm = spki.ReadSequence();
        return algorithm.ReadObjectIdentifier();
    }
}
