using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>
/// A released session's label map goes to its spill and comes back equal on use; a visitor who leaves gets all of
/// theirs released: past the grace through the real circuit handler, at once when the circuit closes.
/// </summary>
public class SessionSpillTests
{
    private static readonly Circuit NoCircuit = null!;

    [Fact]
    public async Task A_released_label_map_is_spilled_and_reads_back_equal()
    {
        using var session = await TrainedBands.StartAsync(clusters: 3);
        var result = session.Current.Result!;
        var labels = (byte[])result.Labels.Clone();
        var labelsPng = session.Files.GetPng(ResultImage.Labels);
        var boundariesPng = session.Files.GetPng(ResultImage.Boundaries);
        Assert.True(session.Memory.ResidentBytes >= labels.LongLength); // the label map counts against the budget

        long freed = 0; // nothing is released while the run's scoring still leases the result
        await TestData.Until(() => (freed = session.Memory.ReleaseResident()) > 0);
        Assert.True(freed >= labels.LongLength);
        Assert.False(result.LabelsInMemory);
        Assert.Equal(0, session.Memory.ResidentBytes);

        Assert.Equal(labels, result.Labels);             // read back from the spill
        Assert.True(result.LabelsInMemory);
        Assert.Equal(labelsPng, session.Files.GetPng(ResultImage.Labels));
        Assert.Equal(boundariesPng, session.Files.GetPng(ResultImage.Boundaries));
        Assert.Equal(labels[5 * TrainedBands.Width + 7], result.ClusterAt(7, 5));

        // Released again, it is let go without another write, and reads back equal again.
        await TestData.Until(() => session.Memory.ReleaseResident() > 0);
        Assert.False(result.LabelsInMemory);
        Assert.Equal(labels, result.Labels);
    }

    [Fact]
    public async Task A_visitor_gone_past_the_grace_has_everything_released_and_sees_the_same_page_on_return()
    {
        var time = new CircuitHandlerTests.ManualTime();
        using var session = await TrainedBands.StartAsync(clusters: 2);
        var result = session.Current.Result!;
        var labels = (byte[])result.Labels.Clone();
        var segmentedPng = session.Files.GetPng(ResultImage.Segmented);
        using var handler = new SessionCircuitHandler(session.Memory, Options.Create(new SegmenterOptions { DisconnectGraceSeconds = 5 }), time,
            NullLogger<SessionCircuitHandler>.Instance);

        await handler.OnConnectionDownAsync(NoCircuit, default);
        time.Advance(TimeSpan.FromSeconds(5));
        // Released at once when idle, else when the scoring's lease on the result ends.
        await TestData.Until(() => !result.LabelsInMemory && session.Memory.ResidentBytes == 0);
        Assert.True(result.Model!.IsDisposed);

        await handler.OnConnectionUpAsync(NoCircuit, default);
        Assert.Same(result, session.Current.Result);
        Assert.Equal(labels, result.Labels);
        Assert.Equal(segmentedPng, session.Files.GetPng(ResultImage.Segmented));
    }

    [Fact]
    public async Task A_closed_circuit_frees_the_whole_session_without_spilling_it()
    {
        var session = await TrainedBands.StartAsync(clusters: 2);
        var budget = session.Services.GetRequiredService<ResidentBudget>();
        var current = session.Current;
        var result = current.Result!;
        var handler = new SessionCircuitHandler(session.Memory, Options.Create(new SegmenterOptions()), new CircuitHandlerTests.ManualTime(),
            NullLogger<SessionCircuitHandler>.Instance);
        Assert.True(budget.TotalBytes >= result.Labels.LongLength);

        await handler.OnCircuitClosedAsync(NoCircuit, default);
        Assert.True(result.LabelsInMemory); // the scope's disposal comes next: writing the label map out would be wasted
        // Blazor disposes the circuit's scope right after the handlers: the session ends and leaves the budget.
        handler.Dispose();
        session.Dispose();
        Assert.Equal(0, budget.TotalBytes);
        await TestData.Until(() => result.Model!.IsDisposed);
        Assert.Null(current.Result);
    }
}
