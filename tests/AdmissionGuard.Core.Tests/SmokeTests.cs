namespace AdmissionGuard.Tests;

public class SmokeTests
{
    [Fact]
    public void Smoke() => Assert.Equal(2, 1 + 1);
}
