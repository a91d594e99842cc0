using System.Runtime.InteropServices;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Components.Charts;
using Segmenter.Web.Components.Layout;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>The components and session parts behind "the page keeps up with the engine", without a browser.</summary>
public class LivePageComponentTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = TestData.Context();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    private IEnumerable<JSRuntimeInvocation> Calls(string identifier) => _ctx.JSInterop.Invocations.Where(i => i.Identifier == identifier);

    [Fact]
    public void Scatter_sends_the_sample_as_bytes_and_redraws_only_for_a_new_result()
    {
        var result = TestData.Result(3);
        var cut = _ctx.Render<Scatter3DPlot>(p => p.Add(c => c.Kind, "codes").Add(c => c.TestId, "code-scatter").Add(c => c.Result, result).Add(c => c.Revision, 7));

        var call = Assert.Single(Calls("scatter3d"));
        Assert.Equal("codes", call.Arguments[1]);
        Assert.Same(result.Plot.Rgb, call.Arguments[2]);
        Assert.Same(result.Plot.Labels, call.Arguments[3]);
        Assert.Equal(MemoryMarshal.AsBytes(result.Plot.Codes3.AsSpan()).ToArray(), Assert.IsType<byte[]>(call.Arguments[4]));
        Assert.Equal(result.Plot.Centres3.Length * sizeof(float), Assert.IsType<byte[]>(call.Arguments[5]).Length);
        var box = cut.Find("[data-testid=code-scatter]");
        Assert.Equal("7", box.GetAttribute("data-revision"));
        Assert.Contains("cluster 0 33.3%", cut.Find("[data-testid=code-scatter-caption]").TextContent);

        cut.Render(p => p.Add(c => c.Result, result)); // the page re-rendered for something else: nothing is sent
        Assert.Single(Calls("scatter3d"));
        cut.Render(p => p.Add(c => c.Result, TestData.Result(4)).Add(c => c.Revision, 8));
        Assert.Equal(2, Calls("scatter3d").Count());
    }

    [Fact]
    public void Colour_scatter_is_sent_without_the_codes_it_does_not_draw()
    {
        var result = TestData.Result(3);
        _ctx.Render<Scatter3DPlot>(p => p.Add(c => c.Kind, "rgb").Add(c => c.TestId, "color-scatter").Add(c => c.Result, result));

        var call = Assert.Single(Calls("scatter3d"));
        Assert.Equal("rgb", call.Arguments[1]);
        Assert.Same(result.Plot.Rgb, call.Arguments[2]);
        Assert.Same(result.Plot.Labels, call.Arguments[3]);
        Assert.Empty(Assert.IsType<byte[]>(call.Arguments[4]));
        Assert.Empty(Assert.IsType<byte[]>(call.Arguments[5]));
    }

    [Fact]
    public void Cluster_meta_uses_the_palette_colour_and_the_mean_colour()
    {
        var meta = ClusterMeta.Of(TestData.Result(3));
        Assert.Equal([ClusterPalette.Hex(0), ClusterPalette.Hex(1), ClusterPalette.Hex(2)], meta.Select(m => m.Colour));
        Assert.Equal([200, 10, 20], meta[0].Mean);
    }

    [Fact]
    public async Task A_click_on_a_bar_reaches_the_page_and_the_highlight_is_drawn()
    {
        int? clicked = null;
        var result = TestData.Result(3);
        var cut = _ctx.Render<DistributionChart>(p => p.Add(c => c.Result, result).Add(c => c.OnClusterClick, (int c) => clicked = c));
        Assert.Single(Calls("bars"));

        await cut.InvokeAsync(() => cut.Instance.ClusterClicked(2));
        Assert.Equal(2, clicked);
        await cut.InvokeAsync(() => cut.Instance.ClusterClicked(9)); // no such cluster: ignored
        Assert.Equal(2, clicked);

        cut.Render(p => p.Add(c => c.Highlight, 2));
        Assert.Equal("2", cut.Find("[data-testid=distribution-chart]").GetAttribute("data-highlight"));
        Assert.Equal(2, Calls("bars").Count());
    }

    [Fact]
    public async Task Results_panel_highlights_the_picked_cluster_over_the_original()
    {
        using var session = TestData.Session();
        session.Image.Set(TestData.Image(8, 6), "cat.png");
        session.Settings.Form.Clusters = 3;
        var cut = _ctx.Render<ResultsPanel>(session);
        Assert.True(await session.Runs.StartAsync());
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=cluster-legend] button")), TestData.HangGuard);

        await cut.InvokeAsync(() => cut.FindAll("[data-testid=cluster-legend] button")[1].Click());
        var img = cut.Find("[data-testid=highlight-image]");
        Assert.Equal("1", img.GetAttribute("data-cluster"));
        Assert.Contains($"image/{session.Files.Id}/{ResultImage.Highlight(1).Name}.png", img.GetAttribute("src"));
        Assert.Equal("true", cut.FindAll("[data-testid=cluster-legend] button")[1].GetAttribute("aria-pressed"));
        Assert.NotNull(session.Files.GetPng(ResultImage.Highlight(1)));
        Assert.Null(session.Files.GetPng(ResultImage.Highlight(3))); // k = 3: no cluster 3

        await cut.InvokeAsync(() => cut.Find("[data-testid=highlight-clear]").Click());
        Assert.Empty(cut.FindAll("[data-testid=highlight-image]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=original-image]"));
    }

    [Fact]
    public void Highlight_keeps_the_cluster_and_dims_the_rest()
    {
        var result = TestData.Result(2, 4, 1); // labels 0 1 0 1
        var original = new RgbImage(4, 1, Enumerable.Repeat((byte)200, 12).ToArray());
        var h = ClusterHighlight.Render(result, original, 1);
        Assert.Equal([50, 50, 50, 200, 200, 200, 50, 50, 50, 200, 200, 200], h.Pixels);
        Assert.Equal(ResultImage.Highlight(1), ResultImage.Parse(ResultImage.Highlight(1).Name));
        Assert.Equal("highlight-1", ResultImage.Highlight(1).Name);
        Assert.Null(ResultImage.Parse("highlight-x"));
        Assert.Null(ResultImage.Parse("highlight--1"));
        Assert.Equal(ResultImage.MeanColours, ResultImage.Parse("mean"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClusterHighlight.Render(result, original, 2));
    }

    [Fact]
    public async Task Loss_chart_log_toggle_redraws_on_a_log_axis_and_marks_the_final_loss()
    {
        using var session = TestData.Session();
        var cut = _ctx.Render<LossChart>(session);
        session.Jobs.ApplyProgress(new EpochCompleted(new EpochLoss(1, 2, 0.5, 0.1)));
        session.Jobs.ApplyProgress(new EpochCompleted(new EpochLoss(2, 2, 0.01, 0.2)));
        cut.WaitForAssertion(() => Assert.Contains("(final)", cut.Find("[data-testid=loss-caption]").TextContent));

        int before = Calls("drawLoss").Count();
        await cut.InvokeAsync(() => cut.Find("input[data-testid=loss-log-toggle]").Change(true));
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=loss-chart]").GetAttribute("data-log")));
        var last = Calls("drawLoss").Last();
        Assert.Equal(before + 1, Calls("drawLoss").Count());
        Assert.Contains("log = True", last.Arguments[3]!.ToString());
        Assert.Contains("final = True", last.Arguments[3]!.ToString());
    }

    [Fact]
    public void Live_preview_shows_each_frame_and_a_new_run_clears_it()
    {
        using var session = TestData.Session();
        var cut = _ctx.Render<TrainingPanel>(session);
        Assert.Empty(cut.FindAll("[data-testid=live-preview]"));

        var sources = new List<string>();
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            var rgb = Enumerable.Repeat((byte)(epoch * 50), 4 * 3 * 3).ToArray();
            session.Jobs.ApplyProgress(new PreviewReady(new PreviewFrame(epoch, 4, 3, rgb, 0.01)));
            var expected = epoch.ToString();
            cut.WaitForAssertion(() => Assert.Equal(expected, cut.Find("[data-testid=live-preview]").GetAttribute("data-epoch")));
            sources.Add(cut.Find("[data-testid=live-preview]").GetAttribute("src")!);
        }
        Assert.All(sources, s => Assert.StartsWith("data:image/png;base64,", s));
        Assert.Equal(2, session.Jobs.Preview!.Epoch);
        Assert.Equal((4, 3), (session.Jobs.Preview.Width, session.Jobs.Preview.Height));
    }

    [Fact]
    public async Task The_history_row_lands_in_the_same_change_as_the_result_and_its_scores_before_the_run_ends()
    {
        using var session = TestData.Session();
        session.Image.Set(TestData.Image(8, 6), "cat.png");
        var seen = new List<(bool Result, int Rows)>();
        session.Changes.Changed += () => seen.Add((session.Current.Result is not null, session.History.Count));
        Assert.True(await session.Runs.StartAsync());
        await TestData.Until(() => session.Jobs.State == SessionState.Finished);
        // Never a change with the result shown and its row missing.
        Assert.DoesNotContain((true, 0), seen);
        Assert.True(double.IsFinite(session.History.Runs[0].Silhouette));
    }

    [Fact]
    public void Errors_have_one_channel_on_the_page()
    {
        using var session = TestData.Session();
        var cut = _ctx.Render<ErrorBanner>(session);
        Assert.Empty(cut.FindAll("[data-testid=error-message]"));
        session.Settings.Form.Clusters = null;
        _ = session.Runs.StartAsync();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=error-message]")));
        Assert.Empty(cut.FindAll(".mud-snackbar"));
    }

    [Fact]
    public async Task Theme_toggle_switches_the_page_and_the_charts()
    {
        var cut = _ctx.Render<MainLayout>();
        var toggle = cut.Find("[data-testid=theme-toggle]");
        Assert.Equal("light", toggle.GetAttribute("data-theme"));
        await cut.InvokeAsync(() => toggle.Click());
        cut.WaitForAssertion(() => Assert.Equal("dark", cut.Find("[data-testid=theme-toggle]").GetAttribute("data-theme")));
        Assert.Contains(Calls("setTheme"), i => i.Arguments[0] is true);
    }
}
