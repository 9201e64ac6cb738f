using System.Text;
using AdmissionGuard.Webhooks;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>Inputs the fuzzer (tests/fuzz/run.sh, target review) crashed on; each is also a seed.</summary>
public class AdmissionHandlerFuzzRegressionTests
{
    [Fact]
    public void TryReadUid_InvalidUtf8InUid_ReturnsNullInsteadOfThrowing()
    {
        // Malformed JSON (bad UTF-8 elsewhere) sends HandleAsync to TryReadUid, whose GetString threw
        // InvalidOperationException on the uid's invalid UTF-8: an escaped exception, a 500 from the webhook.
        var body = Encoding.ASCII.GetBytes("{\"apiVersion\":\"admission.k8?.io/v1\",\"request\":{\"uid\":\"ssss?sss5\",\"kind\":{\"group")
            .Select(b => b == (byte)'?' ? (byte)0x88 : b).ToArray();

        Assert.Null(AdmissionHandler.TryReadUid(body));
    }
}
