using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Segmenter.Bench.Corpus;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Api;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;
using Segmenter.Web.Sweeps;

namespace Segmenter.Web.Tests.Sweeps;

/// <summary>
/// The sweep panel in a circuit of the real app (in process, its own store): the plan before anything starts, the
/// settings' messages, the refusal beyond the server's limit, and a small grid filling in with real runs.
/// </summary>
public sealed class SweepPanelTests : IAsyncLifetime
{
    private readonly ApiHost _host = new(new Dictionary<string, string?> { ["Segmenter:MaxSweepRuns"] = "8" });
    private readonly BunitContext _ctx = TestData.Context();
    private IServiceScope _circuit = null!;

    public Task InitializeAsync()
    {
        _circuit = _host.Services.CreateScope();
        _ctx.Services.AddFallbackServiceProvider(_circuit.ServiceProvider);
        var image = ImageLoader.Load(new MemoryStream(TestImages.TwoTone(64, 48, new SixLabors.ImageSharp.Formats.Png.PngEncoder())));
        _circuit.ServiceProvider.GetRequiredService<SessionImage>().Set(image, "two-tone.png");
        var form = _circuit.ServiceProvider.GetRequiredService<SessionSettings>().Form;
        (form.Clusters, form.Epochs) = (2, 1);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        _circuit.Dispose();
        await _host.DisposeAsync();
    }

    private IRenderedComponent<SweepPanel> Panel() => _ctx.Render<SweepPanel>();

    private static void Values(IRenderedComponent<SweepPanel> cut, int axis, string values)
        => cut.FindAll("[data-testid=sweep-axis-values]")[axis].Input(values);

    [Fact]
    public void The_panel_shows_the_run_count_before_anything_starts_and_follows_the_values()
    {
        var cut = Panel();
        Assert.Equal("9", cut.Find("[data-testid=sweep-count]").GetAttribute("data-count"));
        Assert.Contains("time estimated after a first run", cut.Find("[data-testid=sweep-count]").TextContent);
        Values(cut, 1, "1,2");
        Assert.Equal("6", cut.Find("[data-testid=sweep-count]").GetAttribute("data-count"));
        Assert.Empty(cut.FindAll("[data-testid=sweep-grid]"));
    }

    [Fact]
    public void A_bad_value_gets_the_settings_message_and_a_grid_beyond_the_limit_is_refused()
    {
        var cut = Panel();
        Values(cut, 0, "1,4");
        Assert.Contains("The attention window must be 1 (each pixel alone), 3 (3×3), 5 (5×5) or 7 (7×7); got 4.", cut.Find("[data-testid=sweep-problem]").TextContent);
        Assert.True(cut.Find("[data-testid=sweep-run-button]").HasAttribute("disabled"));

        Values(cut, 0, "1,3,5");
        Assert.Contains("The sweep has 9 runs; this server runs at most 8 in one sweep", cut.Find("[data-testid=sweep-problem]").TextContent);
        Assert.True(cut.Find("[data-testid=sweep-run-button]").HasAttribute("disabled"));

        Values(cut, 0, "1,3");
        Assert.Empty(cut.FindAll("[data-testid=sweep-problem]"));
        Assert.False(cut.Find("[data-testid=sweep-run-button]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Run_queues_the_grid_and_its_cells_fill_in_with_links_to_their_runs()
    {
        var cut = Panel();
        var sweep = _circuit.ServiceProvider.GetRequiredService<SweepSession>();
        (sweep.Rows[0].Setting, sweep.Rows[1].Setting) = ("seed", "epochs");
        Values(cut, 0, "1,2");
        Values(cut, 1, "1,2");
        Assert.Equal("4", cut.Find("[data-testid=sweep-count]").GetAttribute("data-count"));

        await cut.InvokeAsync(() => cut.Find("[data-testid=sweep-run-button]").Click());
        cut.WaitForAssertion(() => Assert.True(cut.FindAll("[data-testid=sweep-grid][data-finished=\"4\"]").Count == 1, cut.Markup), TestData.HangGuard);
        var cells = cut.FindAll("a[data-testid=sweep-cell]");
        Assert.Equal(4, cells.Count);
        Assert.All(cells, c => Assert.Equal($"runs/{c.GetAttribute("data-run-id")}", c.GetAttribute("href")));
        Assert.Single(cut.FindAll("[data-testid=sweep-cell][data-best=true]"));
        Assert.Equal(SweepStatus.Finished, cut.Find("[data-testid=sweep-grid]").GetAttribute("data-state"));
        Assert.Equal(5, sweep.Csv()!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("seed,epochs,run_id,state,link,final_loss,silhouette", sweep.Csv());
    }

    [Fact]
    public void The_estimate_scales_a_measured_run_by_epochs_and_training_pixels_over_the_workers()
    {
        var basis = SegmentationParameters.ForPreset(Preset.Fast) with { Epochs = 10, TrainingSample = null, MaxPixels = 0 };
        var measured = new MeasuredRun(basis, new StageTimings(0, 10, 0, 0, 0, 12, 1), 10_000);
        var axes = SweepAxes.Parse("epochs=10,20");
        Assert.Equal(34, SweepEstimate.Seconds(basis, axes, measured, workers: 1), 6);
        Assert.Equal(17, SweepEstimate.Seconds(basis, axes, measured, workers: 2), 6);
        // A training sample of half the pixels halves the training time.
        Assert.Equal(2 + 5, SweepEstimate.Seconds(basis, SweepAxes.Parse("trainingSample=5000"), measured, workers: 4), 6);
    }
}
