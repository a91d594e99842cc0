using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>Issue 16: the history row, its CSV line and the compare view carry the model's shape and k-means' settings.</summary>
public class HistorySettingsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly BunitContext _ctx = TestData.Context();
    private readonly SegmentationSession _session;

    public HistorySettingsTests()
    {
        _session = TestData.Session(engine: TestData.EchoingEngine());
        _session.SetImage(TestData.Image(8, 6), "test.png");
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { _session.Dispose(); await _ctx.DisposeAsync(); }

    private async Task TrainAsync()
    {
        int before = _session.History.Count;
        Assert.True(await _session.StartAsync());
        await TestData.Until(() => _session.State == SessionState.Finished && _session.History.Count == before + 1);
    }

    /// <summary>A preset default run, then one with code 16, GELU, 2+3 layers, 7 random-seeded restarts, 50 iterations, tolerance 0.001.</summary>
    private async Task TrainDefaultThenCustomAsync()
    {
        await TrainAsync();
        var f = _session.Form;
        f.CodeSize = 16; f.Activation = Activation.Gelu; f.EncoderDepth = 2; f.DecoderDepth = 3;
        f.KMeansRestarts = 7; f.KMeansInit = KMeansInit.Random; f.KMeansMaxIterations = 50; f.KMeansTolerance = 1e-3;
        await TrainAsync();
    }

    [Fact]
    public async Task History_rows_show_the_model_and_kmeans_settings_compactly()
    {
        await TrainDefaultThenCustomAsync();
        var defaults = SegmentationParameters.ForPreset(_session.Form.Preset);
        var cut = _ctx.Render<HistoryPanel>(p => p.Add(c => c.Session, _session));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=history-row]").Count), Wait);
        var rows = cut.FindAll("[data-testid=history-row]");
        Assert.Equal($"code {defaults.CodeSize} · h{defaults.HiddenWidth} · 1+1 · relu", rows[0].QuerySelector("[data-testid=history-model]")!.TextContent);
        Assert.Equal($"k-means++ ×{defaults.KMeansRestarts} · {defaults.KMeansMaxIterations} it · tol 0.0001",
            rows[0].QuerySelector("[data-testid=history-kmeans]")!.TextContent);
        Assert.Equal($"code 16 · h{defaults.HiddenWidth} · 2+3 · gelu", rows[1].QuerySelector("[data-testid=history-model]")!.TextContent);
        Assert.Equal("random ×7 · 50 it · tol 0.001", rows[1].QuerySelector("[data-testid=history-kmeans]")!.TextContent);
    }

    [Fact]
    public async Task Csv_has_one_column_per_model_and_kmeans_setting()
    {
        await TrainDefaultThenCustomAsync();
        var lines = _session.History.ToCsv().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var custom = lines[2].Split(',');
        Assert.Equal(header.Length, custom.Length);
        string Cell(string column) => custom[Array.IndexOf(header, column)];
        Assert.Equal("16", Cell("code_size"));
        Assert.Equal("64", Cell("hidden_width"));
        Assert.Equal("2", Cell("encoder_depth"));
        Assert.Equal("3", Cell("decoder_depth"));
        Assert.Equal("gelu", Cell("activation"));
        Assert.Equal("7", Cell("kmeans_restarts"));
        Assert.Equal("50", Cell("kmeans_max_iterations"));
        Assert.Equal("0.001", Cell("kmeans_tolerance"));
        Assert.Equal("random", Cell("kmeans_init"));
        Assert.Equal("k-means++", lines[1].Split(',')[Array.IndexOf(header, "kmeans_init")]);
    }

    [Fact]
    public async Task Compare_view_shows_each_runs_model_and_kmeans_settings()
    {
        await TrainDefaultThenCustomAsync();
        var cut = _ctx.Render<HistoryPanel>(p => p.Add(c => c.Session, _session));
        cut.FindAll("[data-testid=history-select]")[0].Change(true);
        cut.FindAll("[data-testid=history-select]")[1].Change(true);
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=compare-button]").HasAttribute("disabled")));
        cut.Find("[data-testid=compare-button]").Click();

        var model = cut.Find("[data-testid=compare-model]").QuerySelectorAll("td").Select(td => td.TextContent).ToArray();
        Assert.Equal(3, model.Length);
        Assert.EndsWith("relu", model[1]);
        Assert.Equal("code 16 · h64 · 2+3 · gelu", model[2]);
        var kmeans = cut.Find("[data-testid=compare-kmeans]").QuerySelectorAll("td").Select(td => td.TextContent).ToArray();
        Assert.StartsWith("k-means++", kmeans[1]);
        Assert.Equal("random ×7 · 50 it · tol 0.001", kmeans[2]);
    }
}
