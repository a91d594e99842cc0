using System.Text.Json.Nodes;
using Bunit;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>
/// The regions slider on a session whose real engine trains on a small striped image: shown only for a result made of
/// regions, and moving it re-cuts the run's merge tree: an edit of the run, with no training, no k-means and no job.
/// </summary>
public sealed class RegionsSliderTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = TestData.Context();
    private readonly TestSession _session = TestData.Session();

    public RegionsSliderTests()
    {
        _session.Image.Set(ShadedBands(48, 32), "bands.png");
        _session.Settings.Form.Epochs = 2;
        _session.Settings.Form.Clusters = 3;
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { _session.Dispose(); await _ctx.DisposeAsync(); }

    /// <summary>Vertical bands of <see cref="TestData.Colours"/>, 8 pixels wide, each shaded from top to bottom: regions to cut and more distinct colours than any count asked.</summary>
    internal static RgbImage ShadedBands(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            var (r, g, b) = TestData.Colours[i % w / 8 % TestData.Colours.Length];
            int shade = i / w;
            px[3 * i] = (byte)Math.Max(0, r - shade); px[3 * i + 1] = (byte)Math.Max(0, g - shade); px[3 * i + 2] = (byte)Math.Max(0, b - shade);
        }
        return new RgbImage(w, h, px);
    }

    private void UseSegments(Segments segments) => _session.Settings.Form[SettingFields.Find("segments")!] = segments;

    private static AngleSharp.Dom.IElement SliderInput(IRenderedComponent<RegionsSlider> cut)
        => cut.Find("[data-testid=regions-slider] input[type=range], input[type=range][data-testid=regions-slider]");

    [Fact]
    public async Task A_clusters_run_shows_no_regions_slider()
    {
        var cut = _ctx.Render<RegionsSlider>(_session);
        Assert.Empty(cut.FindAll("[data-testid=regions-slider]"));

        UseSegments(Segments.Clusters);
        await TestData.TrainAsync(_session);
        cut.Render();
        Assert.Empty(cut.FindAll("[data-testid=regions-slider]"));
        Assert.Null(_session.Runs.RegionsCut);
    }

    [Fact]
    public async Task Moving_the_slider_recuts_the_regions_without_training_or_kmeans()
    {
        UseSegments(Segments.Regions);
        await TestData.TrainAsync(_session);
        var cut = _ctx.Render<RegionsSlider>(_session);
        var trained = _session.Current.Result!;
        int available = trained.RegionsAvailable!.Value;
        Assert.True(available >= 5, $"the tree has {available} leaves");
        var range = cut.Find("[data-testid=regions-cut]");
        Assert.Equal("3", range.GetAttribute("data-cut"));
        Assert.Equal("2", range.GetAttribute("data-min"));
        Assert.Equal(available.ToString(), range.GetAttribute("data-max"));
        Assert.Contains("aria-label=\"Regions\"", cut.Markup);
        int epochsBefore = _session.Jobs.EpochLosses.Count;

        await cut.InvokeAsync(() => SliderInput(cut).Change("5"));
        await TestData.Until(() => _session.Current.Result is { Clusters.Count: 5 });
        Assert.Null(_session.Changes.Error);
        Assert.Equal(SessionState.Finished, _session.Jobs.State);

        var recut = _session.Current.Result!;
        Assert.NotSame(trained, recut);
        Assert.True(recut.Reclustered);
        Assert.Equal(5, recut.Clusters.Count);
        Assert.Equal(5, recut.Labels.Distinct().Count());
        Assert.NotEqual(trained.Labels, recut.Labels);
        Assert.Equal(0, recut.KMeansIterations);
        Assert.Same(trained.Model, recut.Model);
        // No epoch was trained: the loss curve is the run's own.
        Assert.Equal(epochsBefore, _session.Jobs.EpochLosses.Count);
        Assert.Equal(trained.EpochLosses.Count, recut.EpochLosses.Count);
        Assert.Equal(5, _session.Settings.Form.Clusters);

        var regions = JsonNode.Parse(_session.Current.ReportJson()!)!["regions"]!;
        Assert.Equal(5, (int)regions["cut"]!);
        Assert.Equal(available, (int)regions["available"]![1]!);

        cut.WaitForAssertion(() => Assert.Equal("5", cut.Find("[data-testid=regions-cut]").GetAttribute("data-cut")));
        Assert.Contains("5 regions", cut.Find("[data-testid=regions-slider-value]").TextContent);
    }

    [Fact]
    public async Task A_count_outside_the_tree_is_refused_with_its_range()
    {
        UseSegments(Segments.Regions);
        await TestData.TrainAsync(_session);
        var trained = _session.Current.Result!;
        int available = trained.RegionsAvailable!.Value;

        Assert.False(await _session.Runs.RecutRegionsAsync(available + 1));
        Assert.Equal($"The regions can be cut at 2–{available}; got {available + 1}.", _session.Changes.Error);
        Assert.Same(trained, _session.Current.Result);
    }
}

/// <summary>A re-cut is stored like any edit of the session (real SQLite store): linked to its run, its link re-opens it at the count it was cut.</summary>
public sealed class RegionsSliderStoreTests : IAsyncLifetime
{
    private readonly TemporaryDataFolder _folder = new("segmenter-regions-slider-");
    private Store.StoreHost _host = null!;
    private readonly List<TestSession> _sessions = [];

    public async Task InitializeAsync() => _host = await Store.StoreHost.StartAsync(_folder.Settings);

    public async Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        await _host.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<TestSession> NewSessionAsync()
    {
        var session = TestSession.Create(store: _host.Store);
        _sessions.Add(session);
        await session.History.AttachAsync(Segmenter.Web.Store.RunCodec.NewId());
        return session;
    }

    [Fact]
    public async Task A_stored_recut_reopens_at_the_count_it_was_cut()
    {
        var owner = await NewSessionAsync();
        Assert.True(await owner.Image.LoadUploadAsync(new MemoryStream(ImageLoader.EncodePng(RegionsSliderTests.ShadedBands(48, 32))), "bands.png"));
        owner.Settings.Form.Epochs = 2;
        owner.Settings.Form.Clusters = 3;
        owner.Settings.Form[SettingFields.Find("segments")!] = Segments.Regions;
        await TestData.TrainAsync(owner);

        var trainedId = owner.History.Runs[0].RunId;
        Assert.NotNull(trainedId);

        // The re-cut returns once it is shown and stored: no job runs for it.
        Assert.True(await owner.Runs.RecutRegionsAsync(5), owner.Changes.Error);
        Assert.Equal(2, owner.History.Count);
        var recut = owner.Current.Result!;
        var id = owner.History.Runs[1].RunId;
        Assert.NotNull(id);
        Assert.True(owner.History.Runs[1].Reclustered);
        var stored = (await _host.Store.GetAsync(id!))!.Summary.Details;
        Assert.Equal(new Segmenter.Web.Store.RunEdit(trainedId, "re-cut at 5 regions"), stored.Edit);
        Assert.Equal(5, stored.Parameters.Clusters);

        var visitor = await NewSessionAsync();
        Assert.True(await visitor.Runs.OpenStoredRunAsync(id!), visitor.Changes.Error);
        var reopened = visitor.Current.Result!;
        Assert.Equal(Segments.Regions, reopened.Parameters.Segments);
        Assert.Equal(5, reopened.Parameters.Clusters);
        Assert.Equal(recut.Labels, reopened.Labels);
        Assert.Equal(5, visitor.Settings.Form.Clusters);
        Assert.Equal(5, visitor.Runs.RegionsCut?.Cut);
    }
}
