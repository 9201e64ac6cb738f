using System.Net;
using System.Net.Sockets;
using AdmissionGuard.Tests.Certificates;

namespace AdmissionGuard.Tests.Webhooks;

/// <summary>
/// Stopping the server (the token RunAsync gets, which is what SIGTERM cancels) while requests flow.
/// What is asserted, precisely:
/// 1. readiness answers 503 during the drain;
/// 2. every request in flight when the stop began got a 200 review;
/// 3. requests keep being served after readiness turned 503 (the drain serves);
/// 4. no request failed that had given up before the last moment the listener was seen accepting a new
///    connection. Requests that fail after that may be refused: the listener is closed, as intended.
/// </summary>
public sealed class GracefulShutdownTests
{
    private sealed record Attempt(long Started, long Ended, HttpStatusCode? Status, bool ValidReview, Exception? Error);

    /// <summary>Orders events without a clock: each call is later than every call that returned before it.</summary>
    private sealed class Sequence
    {
        private long _last;

        public long Next() => Interlocked.Increment(ref _last);
    }

    [Fact]
    public async Task Stop_WithKeepAliveRequestsInFlight_DrainsWithoutFailingAny()
    {
        await using var server = await WebhookServer.StartAsync("--drain", "3s");
        var events = new Sequence();
        var port = server.BaseUri.Port;
        var attempts = new List<Attempt>[4];
        using var loopsDone = new CancellationTokenSource();
        var warmedUp = new CountdownEvent(attempts.Length * 5);

        var loops = Enumerable.Range(0, attempts.Length).Select(i => Task.Run(async () =>
        {
            attempts[i] = [];
            using var client = server.CreateClient();
            var review = TestObjects.Review(TestObjects.Load("Pod", image: "dhi.io/nginx:1.25")).ToJsonString();
            while (!loopsDone.IsCancellationRequested)
            {
                var started = events.Next();
                try
                {
                    using var response = await server.PostAsync("/validate", review, client: client);
                    var body = await response.Content.ReadAsStringAsync();
                    attempts[i].Add(new Attempt(started, events.Next(), response.StatusCode, body.Contains("\"allowed\":true", StringComparison.Ordinal), null));
                }
                catch (HttpRequestException e)
                {
                    attempts[i].Add(new Attempt(started, events.Next(), null, false, e));
                    await Task.Delay(20);
                }

                if (warmedUp.CurrentCount > 0)
                {
                    warmedUp.Signal();
                }
            }
        })).ToArray();

        Assert.True(warmedUp.Wait(TimeSpan.FromSeconds(60)), "the request loops got going");

        var stopAt = events.Next();
        var stopping = server.StopAsync();

        // Readiness, on its own connection, must turn 503 while the server still answers.
        using var readinessClient = server.CreateClient();
        HttpStatusCode? readiness = null;
        long readinessAt = 0;
        await TlsTestClient.WaitUntilAsync(async () =>
        {
            using var response = await readinessClient.GetAsync("/readyz");
            readiness = response.StatusCode;
            readinessAt = events.Next();
            return response.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, TimeSpan.FromSeconds(30), "/readyz turns 503 after the stop began");

        // The last time a new TCP connection was accepted is a lower bound for when the listener closed.
        long lastAccepted = readinessAt;
        while (!stopping.IsCompleted)
        {
            var attemptStarted = events.Next();
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                lastAccepted = attemptStarted;
            }
            catch (SocketException)
            {
                break;
            }

            await Task.Delay(20);
        }

        Assert.Equal(0, await stopping);
        await loopsDone.CancelAsync();
        await Task.WhenAll(loops);

        var all = attempts.SelectMany(a => a).ToList();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness);
        Assert.All(all.Where(a => a.Status is not null), a => Assert.True(a.Status == HttpStatusCode.OK && a.ValidReview, $"answered {a.Status}"));

        var inFlightAtStop = all.Where(a => a.Started <= stopAt && a.Ended >= stopAt).ToList();
        Assert.NotEmpty(inFlightAtStop);
        Assert.All(inFlightAtStop, a => Assert.Null(a.Error));

        Assert.Contains(all, a => a.Started > readinessAt && a.Status == HttpStatusCode.OK);

        // A refusal happens before the attempt ends; one that ended before a later connection was still accepted was
        // refused while the listener was open. (Its start says nothing: under load a client may connect long after it.)
        var failedWhileListening = all.Where(a => a.Error is not null && a.Ended < lastAccepted).ToList();
        Assert.True(failedWhileListening.Count == 0, string.Join("\n", failedWhileListening.Select(a => a.Error!.ToString())));
    }
}
