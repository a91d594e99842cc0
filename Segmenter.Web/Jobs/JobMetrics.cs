using System.Diagnostics.Metrics;
using Segmenter.Web.Api;

namespace Segmenter.Web.Jobs;

/// <summary>
/// The API runs' metrics on the meter <see cref="MeterName"/> (System.Diagnostics.Metrics, OpenTelemetry's naming):
/// how many wait and run now, and counters of runs accepted and ended by outcome, whose rate is runs per minute.
/// Read them with <c>dotnet-counters monitor -n Segmenter.Web --counters Segmenter.Jobs</c> or any OpenTelemetry
/// exporter (docs/operations.md, "Metrics"). With a shared store the gauges count every instance's runs (one query per
/// collection), and each instance counts the runs it accepted and the runs its workers ended.
/// </summary>
public sealed class JobMetrics : IDisposable
{
    public const string MeterName = "Segmenter.Jobs";

    private readonly Meter _meter;
    private readonly Counter<long> _submitted;
    private readonly Counter<long> _ended;
    private Func<(int Queued, int Running)> _counts = () => (0, 0);

    public JobMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _submitted = _meter.CreateCounter<long>("segmenter.runs.submitted", "{run}", "API runs accepted into the queue.");
        _ended = _meter.CreateCounter<long>("segmenter.runs.ended", "{run}",
            "API runs that ended, tagged with their state (finished, failed, cancelled); the rate of finished ones is the runs per minute.");
        _meter.CreateObservableGauge("segmenter.runs.queued", () => Read().Queued, "{run}", "API runs waiting for a worker.");
        _meter.CreateObservableGauge("segmenter.runs.running", () => Read().Running, "{run}", "API runs a worker is running.");
    }

    /// <summary>Where the gauges read their counts from (the API's runs, set once they exist).</summary>
    public void CountFrom(Func<(int Queued, int Running)> counts) => _counts = counts;

    public void Submitted() => _submitted.Add(1);

    /// <summary>One run ended as <paramref name="state"/> (finished, failed or cancelled).</summary>
    public void Ended(string state) => _ended.Add(1, new KeyValuePair<string, object?>("state", state));

    private (int Queued, int Running) Read()
    {
        try { return _counts(); }
        catch (Exception) { return (0, 0); } // a store that cannot answer now reads as empty rather than breaking the listener
    }

    public void Dispose() => _meter.Dispose();
}
