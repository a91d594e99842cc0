using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Segmenter.Web.Tests;

/// <summary>The steering panel's controls on a session with the real engine on a two-halves image: a seeds run, a ground-truth upload, the baseline views.</summary>
public sealed class SteeringPanelTests : IAsyncLifetime
{
    private const int W = 8, H = 6;
    private readonly BunitContext _ctx = TestData.Context();
    private readonly TestSession _session;

    public SteeringPanelTests()
    {
        // Left half red, right half blue: real training with k = 2 finds exactly the two halves, whatever its seed.
        _session = TestData.Session();
        _session.Settings.Form.Clusters = 2;
        _session.Settings.Form.Window = 1; // no attention across the boundary: each pixel's code is its own colour's
        var px = new byte[W * H * 3];
        for (int i = 0; i < W * H; i++) px[3 * i + (i % W >= W / 2 ? 2 : 0)] = 220;
        _session.Image.Set(new RgbImage(W, H, px), "halves.png");
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { _session.Dispose(); await _ctx.DisposeAsync(); }

    private IRenderedComponent<SteeringPanel> Render() => _ctx.Render<SteeringPanel>(_session);

    private async Task RunSeeds(IRenderedComponent<SteeringPanel> cut)
    {
        await cut.InvokeAsync(() => cut.Find("[data-testid=stability-button]").Click());
        await TestData.Until(() => _session.Jobs.State is SessionState.Finished or SessionState.Failed);
        Assert.True(_session.Jobs.State == SessionState.Finished, _session.Changes.Error);
        cut.Render();
    }

    [Fact]
    public void Before_a_run_there_is_a_seeds_button_and_no_map()
    {
        var cut = Render();
        Assert.Equal("BUTTON", cut.Find("[data-testid=stability-button]").TagName);
        Assert.Contains("Run 3 seeds", cut.Find("[data-testid=stability-button]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=stability-map]"));
        Assert.Empty(cut.FindAll("[data-testid=baseline-view]"));
    }

    [Fact]
    public async Task A_seeds_run_trains_each_seed_in_one_job_and_shows_its_map_figure_and_history_column()
    {
        var cut = Render();
        await RunSeeds(cut);

        Assert.Equal("1", cut.Find("[data-testid=stability-figure]").GetAttribute("data-value"));
        Assert.Equal($"image/{_session.Files.Id}/{ResultImage.StabilityMap.Name}.png?v={_session.Files.Version}",
            cut.Find("[data-testid=stability-map]").GetAttribute("src"));
        Assert.NotNull(_session.Files.GetPng(ResultImage.StabilityMap));
        Assert.Equal(1.0, _session.History.Runs.Single().Scores!.Stability);
        // The stability column itself (other columns hold 1s too, e.g. the encoder depth).
        Assert.Equal("1", _session.History.ToCsv().Split("\r\n")[1].Split(',')[Array.IndexOf(RunHistory.CsvColumns, "stability")]);
    }

    [Fact]
    public async Task Baselines_are_one_click_away_with_their_agreement()
    {
        var cut = Render();
        await RunSeeds(cut);

        var views = cut.FindAll("[data-testid=baseline-view]");
        Assert.Equal(2, views.Count);
        Assert.Contains("ARI with the run 1.00", views[0].TextContent);
        await cut.InvokeAsync(() => views[1].Click());
        Assert.EndsWith($"/{ResultImage.Baseline(1).Name}.png?v={_session.Files.Version}", cut.Find("[data-testid=baseline-image]").GetAttribute("src"));
        Assert.NotNull(_session.Files.GetPng(ResultImage.Baseline(1)));
    }

    [Fact]
    public async Task A_ground_truth_of_the_wrong_size_is_refused_and_the_right_one_scores_the_run()
    {
        var cut = Render();
        await RunSeeds(cut);

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(LabelPng(W + 1, H, _ => 0), "wrong.png"));
        await TestData.Until(() => _session.Changes.Error is not null);
        Assert.Contains($"{W + 1}×{H}", _session.Changes.Error);
        Assert.Empty(cut.FindAll("[data-testid=gt-score]"));
        Assert.NotNull(_session.Assessment.Steering); // the run's views are kept

        // A truth that splits top from bottom: the run (left/right halves) is independent of it, ARI 0 (rows and columns balanced).
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(LabelPng(W, H, i => i / W >= H / 2 ? 1 : 0), "truth.png"));
        await TestData.Until(() => _session.Assessment.Steering?.TruthScore is not null);
        cut.Render();
        Assert.Null(_session.Changes.Error);
        var score = _session.Assessment.Steering!.TruthScore!;
        Assert.InRange(score.Ari, -0.2, 0.0);
        Assert.Equal(0.5 / 1.5, score.MatchedMeanIoU, 12); // each matched pair shares a quarter of the image over three quarters
        Assert.Contains("ARI", cut.Find("[data-testid=gt-score]").TextContent);
        Assert.Equal(score.Ari, _session.History.Runs.Single().Scores!.TruthAri);
    }

    private static byte[] LabelPng(int w, int h, Func<int, int> label)
    {
        using var image = new Image<L8>(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) image[x, y] = new L8((byte)label(y * w + x));
        var png = new MemoryStream();
        image.SaveAsPng(png);
        return png.ToArray();
    }
}
