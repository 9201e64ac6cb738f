namespace AdmissionGuard.Tests.Webhooks;

/// <summary>One server for the tests that only send requests; tests that change files or stop the server start their own.</summary>
[CollectionDefinition(Name)]
public sealed class WebhookTestGroup : ICollectionFixture<WebhookServer>
{
    public const string Name = "webhook";
}
