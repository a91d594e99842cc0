using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Segmenter.Engine;
using Segmenter.Web.Operations;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>Health, start-up validation, hosting defaults and CSV safety: the app as an operator meets it.</summary>
public sealed class OperationsTests
{
    private static ApiHost App(Action<IWebHostBuilder>? configure = null) => new(configure: configure);

    [Fact]
    public async Task Health_is_200_with_counts_when_torch_runs()
    {
        await using var app = App();
        using var response = await app.CreateClient().GetAsync(HealthEndpoint.Path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", (string?)body["status"]);
        Assert.Equal(0, (int)body["running"]!);
        Assert.Equal(0, (int)body["queued"]!);
        Assert.Equal("healthy", (string?)body["checks"]!["torch"]!["status"]);
        Assert.Equal("healthy", (string?)body["checks"]!["store"]!["status"]);
    }

    [Fact]
    public async Task Health_is_503_when_the_store_cannot_be_written()
    {
        await using var writable = App();
        _ = writable.Server; // creates the SQLite store in its data folder
        string file = Path.Combine(writable.DataFolder, Segmenter.Web.Store.RunStoreSetup.SqliteFileName);
        await using var readOnly = new ApiHost(new Dictionary<string, string?> { ["ConnectionStrings:Segmenter"] = $"Data Source={file};Mode=ReadOnly" });
        using var response = await readOnly.CreateClient().GetAsync(HealthEndpoint.Path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("unhealthy", (string?)body["checks"]!["store"]!["status"]);
        Assert.Contains("The run store cannot be written", (string?)body["checks"]!["store"]!["description"]);
        Assert.Equal("healthy", (string?)body["checks"]!["torch"]!["status"]);
    }

    [Fact]
    public async Task Health_is_503_when_the_torch_start_up_probe_failed()
    {
        await using var app = App(b => b.ConfigureTestServices(s => s.AddSingleton(
            new TorchStartupProbe(() => throw new DllNotFoundException("libtorch_cpu.so could not be loaded (injected)")))));
        using var response = await app.CreateClient().GetAsync(HealthEndpoint.Path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("unhealthy", (string?)body["status"]);
        Assert.Equal(0, (int)body["queued"]!);
        Assert.Contains("libtorch_cpu.so could not be loaded (injected)", (string?)body["checks"]!["torch"]!["description"]);
    }

    [Fact]
    public async Task A_negative_MaxUploadBytes_refuses_to_start_naming_the_key_and_range()
    {
        await using var app = new ApiHost(new Dictionary<string, string?> { ["Segmenter:MaxUploadBytes"] = "-5" });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var validation = Assert.IsType<OptionsValidationException>(error is AggregateException a ? a.InnerException : error);
        Assert.Contains("Segmenter:MaxUploadBytes must be between 1 and 2147483647; got -5.", validation.Message);
    }

    [Fact]
    public void Every_range_is_checked_and_the_defaults_pass()
    {
        var validator = new SegmenterOptionsValidator();
        Assert.True(validator.Validate(null, new SegmenterOptions()).Succeeded);
        var bad = validator.Validate(null, new SegmenterOptions { MaxConcurrentJobs = 0, MaxQueueLength = -1, DisconnectGraceSeconds = double.NaN });
        Assert.True(bad.Failed);
        Assert.Contains(bad.Failures!, f => f.StartsWith("Segmenter:MaxConcurrentJobs must be between 1 and", StringComparison.Ordinal));
        Assert.Contains(bad.Failures!, f => f.StartsWith("Segmenter:MaxQueueLength must be between 0 and", StringComparison.Ordinal));
        Assert.Contains(bad.Failures!, f => f.StartsWith("Segmenter:DisconnectGraceSeconds must be between 0 and 3600; got NaN", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("urls", "http://0.0.0.0:8080", true)]
    [InlineData("http_ports", "8080", true)]      // ASPNETCORE_HTTP_PORTS (container hosts) and HTTP_PORTS
    [InlineData("HTTP_PORTS", "8080", true)]
    [InlineData("https_ports", "8443", true)]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:8080", true)]
    public void Any_endpoint_setting_replaces_the_loopback_default(string? key, string? value, bool explicitEndpoint)
    {
        var settings = key is null ? [] : new Dictionary<string, string?> { [key] = value };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Assert.Equal(explicitEndpoint, HostingDefaults.HasEndpointSetting(configuration));
    }

    [Fact]
    public async Task The_app_keeps_the_loopback_default_only_without_a_port_setting()
    {
        await using (var plain = App())
        {
            _ = plain.Server;
            Assert.Equal(HostingDefaults.LoopbackUrl, plain.Services.GetRequiredService<IConfiguration>()[WebHostDefaults.ServerUrlsKey]);
        }
        await using var ported = App(b => b.UseSetting(WebHostDefaults.HttpPortsKey, "8123"));
        _ = ported.Server;
        var configuration = ported.Services.GetRequiredService<IConfiguration>();
        Assert.Null(configuration[WebHostDefaults.ServerUrlsKey]);
        Assert.Equal("8123", configuration[WebHostDefaults.HttpPortsKey]);
    }

    [Theory]
    [InlineData("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0")]
    [InlineData("+1.png", "'+1.png")]
    [InlineData("-2.png", "'-2.png")]
    [InlineData("@SUM(A1).png", "'@SUM(A1).png")]
    [InlineData("\tx.png", "'\tx.png")]
    [InlineData("=a,b.png", "\"'=a,b.png\"")]
    [InlineData("plain.png", "plain.png")]
    public void History_csv_neutralises_formula_cells(string imageName, string expectedCell)
    {
        var history = new RunHistory();
        var r = TestData.Result(2);
        history.Add(new RunRecord(0, DateTime.UtcNow, imageName, r.Parameters, false, r.EpochLosses, r.FinalLoss, r.Inertia, 0.5, 0.8, r.Timings, null));
        var row = history.ToCsv().Split("\r\n")[1];
        Assert.Equal(expectedCell, CsvCell.Text(imageName));
        Assert.Contains("," + expectedCell + ",", row);
    }
}
