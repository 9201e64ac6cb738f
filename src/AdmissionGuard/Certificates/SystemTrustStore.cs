using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AdmissionGuard.Certificates;

/// <summary>
/// The system trust store, which a process loads once, at its first chain build: the serving certificate's context
/// (<see cref="ServingCertificate"/>) waits for it before the first handshake, and OpenSSL decodes every certificate of
/// the bundle and of the certificate folder to fill it (292 files on a Debian host; the image ships the bundle alone).
/// Started at once, it loads while the policies are read and the host is built, not after them.
/// </summary>
internal static class SystemTrustStore
{
    public static void LoadInBackground() => _ = Task.Run(Load);

    private static void Load()
    {
        try
        {
            // Opening the machine's root store fills the same process-wide cache that chain building reads.
            using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
            store.Open(OpenFlags.ReadOnly);
            foreach (var certificate in store.Certificates)
            {
                certificate.Dispose();
            }
        }
        catch (CryptographicException)
        {
            // Only a head start: a store that cannot be read fails the chain builds that need it, with their own errors.
        }
    }
}
