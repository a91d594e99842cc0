using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Options;
using Segmenter.Web.Api;
using Segmenter.Web.Jobs;
using Segmenter.Web.Operations;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests.Distributed;

/// <summary>The role setting as an operator meets it, and the job metrics, on one machine (no PostgreSQL needed).</summary>
public sealed class RolesAndMetricsTests
{
    [Fact]
    public void A_role_other_than_all_web_or_worker_is_refused_naming_the_allowed_values()
    {
        var validator = new SegmenterOptionsValidator();
        Assert.True(validator.Validate(null, new SegmenterOptions()).Succeeded);
        foreach (var role in new[] { Roles.All, Roles.Web, Roles.Worker })
            Assert.True(validator.Validate(null, new SegmenterOptions { Role = role }).Succeeded, role);
        var bad = validator.Validate(null, new SegmenterOptions { Role = "boss" });
        Assert.Contains("Segmenter:Role must be one of all, web, worker; got boss.", bad.Failures!);
    }

    [Theory]
    [InlineData(Roles.Web)]
    [InlineData(Roles.Worker)]
    public async Task A_web_or_worker_role_without_a_shared_store_stops_the_start_with_what_to_set(string role)
    {
        await using var app = new ApiHost(new Dictionary<string, string?> { ["Segmenter:Role"] = role });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var inner = error is AggregateException a ? a.InnerException! : error;
        Assert.Contains($"Segmenter:Role={role} needs a shared PostgreSQL store: set ConnectionStrings:Segmenter", inner.Message);
    }

    [Fact]
    public async Task The_job_meter_counts_an_API_run_accepted_and_finished_and_reads_the_queue()
    {
        await using var host = new ApiHost();
        var client = host.CreateClient();
        long submitted = 0, finished = 0;
        var gauges = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == JobMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "segmenter.runs.submitted") Interlocked.Add(ref submitted, value);
            if (instrument.Name == "segmenter.runs.ended" && tags.ToArray().Contains(new("state", RunStates.Finished))) Interlocked.Add(ref finished, value);
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => { lock (gauges) gauges[instrument.Name] = value; });
        listener.Start();

        using var posted = await client.PostAsync(SegmentationApi.Route, ApiTests.Upload(ApiTests.TwoTonePng, """{"clusters":2,"epochs":2,"seed":7}"""));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal(1, Interlocked.Read(ref submitted));
        listener.RecordObservableInstruments();
        lock (gauges) Assert.Equal(1, gauges["segmenter.runs.queued"] + gauges["segmenter.runs.running"]);

        await TestData.Until(() => Interlocked.Read(ref finished) == 1);
        var status = await client.GetStringAsync(posted.Headers.Location!.OriginalString);
        Assert.Contains($"\"state\":\"{RunStates.Finished}\"", status);
        listener.RecordObservableInstruments();
        lock (gauges) Assert.Equal((0, 0), (gauges["segmenter.runs.queued"], gauges["segmenter.runs.running"]));
    }
}
