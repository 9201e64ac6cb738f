using System.Text.Json;
using System.Text.RegularExpressions;
using AdmissionGuard.Commands;
using Microsoft.Extensions.Time.Testing;

namespace AdmissionGuard.Tests.Reports;

/// <summary>The HTML report in real headless Chromium: what a person sees must be what the JSON says, fetched from nowhere.</summary>
public sealed partial class ReportHtmlBrowserTests : IDisposable
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string temp = Directory.CreateTempSubdirectory("ag-report-html-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Fact]
    public async Task DumpDom_AdoptionExample_NamespaceFiguresEqualTheJson()
    {
        ExternalProgram.Require("chromium");
        var page = await WriteReportAsync();
        var (_, json, _) = await ReportCommandTests.Run(new ReportOptions([ReportCommandTests.AdoptionPods], ReportCommandTests.Policies, ReportCommandTests.AdoptionScans, Output: "json") { Time = Time });

        var (code, dom, stderr) = await ExternalProgram.ChromiumAsync(Path.Combine(temp, "profile"), "--dump-dom", new Uri(page).AbsoluteUri);

        Assert.True(code == 0, stderr);
        var rows = NamespaceRow().Matches(dom).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        using var document = JsonDocument.Parse(json);
        var namespaces = document.RootElement.GetProperty("namespaces").EnumerateArray().ToList();
        Assert.Equal(8, rows.Count);
        Assert.Equal(namespaces.Select(n => n.GetProperty("name").GetString()), rows.Keys);
        foreach (var ns in namespaces)
        {
            var row = rows[ns.GetProperty("name").GetString()!];
            foreach (var field in new[] { "containers", "hardened", "notHardened", "unparseable" })
            {
                Assert.Equal(ns.GetProperty(field).GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), Field(row, field));
            }

            Assert.Equal(ns.GetProperty("hardenedPercent").GetDouble().ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%", Field(row, "hardenedPercent"));
            Assert.Equal(ns.GetProperty("vulnerabilities").GetProperty("critical").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), Field(row, "critical"));
        }

        var total = document.RootElement.GetProperty("total");
        Assert.Contains($"<span data-field=\"hardened\">{total.GetProperty("hardened").GetInt32()}</span> of <span data-field=\"containers\">{total.GetProperty("containers").GetInt32()}</span> containers", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Screenshot_AdoptionExample_IsAPngOfTheWholePage()
    {
        ExternalProgram.Require("chromium");
        var page = await WriteReportAsync();
        var png = Path.Combine(temp, "report.png");

        var (code, _, stderr) = await ExternalProgram.ChromiumAsync(Path.Combine(temp, "profile"), $"--screenshot={png}", "--window-size=1280,2200", new Uri(page).AbsoluteUri);

        Assert.True(code == 0, stderr);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        // Width and height from the IHDR chunk: the window size asked for.
        Assert.Equal(1280, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.True(bytes.Length > 50_000, "a blank page compresses to a few kilobytes");
    }

    [Fact]
    public async Task Load_AdoptionExample_RequestsNothingButTheFileItself()
    {
        ExternalProgram.Require("chromium");
        var page = await WriteReportAsync();
        var html = File.ReadAllText(page);
        var netLog = Path.Combine(temp, "net.json");

        var (code, dom, stderr) = await ExternalProgram.ChromiumAsync(Path.Combine(temp, "profile"), $"--log-net-log={netLog}", "--net-log-capture-mode=Everything", "--dump-dom", new Uri(page).AbsoluteUri);

        Assert.True(code == 0, stderr);
        Assert.Contains("<h1>Hardened-image adoption</h1>", dom, StringComparison.Ordinal);
        // The page forbids every fetch itself, and holds nothing that would fetch.
        Assert.Contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?i)<script|<link|<img|<iframe|@import|@font-face|url\\(|https?:|src=", html);
        // What Chromium's network stack saw. The browser itself calls home despite the flags (time, accounts, updates; all
        // fail to resolve here): those are its own hosts, never named by the page. Anything else would have come from the page.
        using var log = JsonDocument.Parse(FixTruncatedNetLog(File.ReadAllText(netLog)));
        var urls = log.RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String)
            .Select(e => new Uri(e.GetProperty("params").GetProperty("url").GetString()!))
            .ToList();
        Assert.All(urls.Where(u => u.Scheme != "file"), u => Assert.Matches(@"(^|\.)(google\.com|googleapis\.com|gstatic\.com)$", u.Host));
    }

    private async Task<string> WriteReportAsync()
    {
        var page = Path.Combine(temp, "report.html");
        var (code, _, stderr) = await ReportCommandTests.Run(new ReportOptions([ReportCommandTests.AdoptionPods], ReportCommandTests.Policies, ReportCommandTests.AdoptionScans, OutputFile: page) { Time = Time });
        Assert.True(code == 0, stderr);
        return page;
    }

    private static string Field(string row, string field)
    {
        var match = Regex.Match(row, $"data-field=\"{field}\">([^<]*)<");
        Assert.True(match.Success, $"no {field} in {row}");
        return match.Groups[1].Value.Replace(",", "", StringComparison.Ordinal) is var v && field is "hardenedPercent" ? match.Groups[1].Value : v;
    }

    /// <summary>Chromium ends a net log it was killed or exited from without the closing brackets; close them.</summary>
    private static string FixTruncatedNetLog(string text)
    {
        try
        {
            using var complete = JsonDocument.Parse(text);
            return text;
        }
        catch (JsonException)
        {
            return text.TrimEnd().TrimEnd(',') + "]}";
        }
    }

    [GeneratedRegex("<tr data-namespace=\"([^\"]*)\">(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex NamespaceRow();
}
