using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Components.Pages;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

public class TuningTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TestData.HangGuard;
    private readonly BunitContext _ctx = TestData.Context();
    private readonly TestSession _session;

    public TuningTests()
    {
        _session = TestData.Session(); // the real engine on an 8×6 image of four colours
        _session.Image.Set(TestData.Image(8, 6), "test.png");
        _session.Settings.Form.Epochs = 1; // real training: one epoch on 48 pixels keeps each run well under the 5 s wait
        // The page's sweep panel queues runs into the app's store, which this session has none of; the sweep panel's own
        // tests render it in a circuit of the real app (Sweeps/SweepPanelTests).
        _ctx.ComponentFactories.AddStub<SweepPanel>();
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { _session.Dispose(); await _ctx.DisposeAsync(); }

    private Task TrainAsync(int k)
    {
        _session.Settings.Form.Clusters = k;
        return TestData.TrainAsync(_session);
    }


    [Fact]
    public async Task History_grows_one_row_per_finished_run_with_its_seed()
    {
        var cut = _ctx.Render<HistoryPanel>(_session);
        Assert.Empty(cut.FindAll("[data-testid=history-row]"));
        await TrainAsync(3);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=history-row]")), Wait);
        _session.Settings.Form.Seed = 7;
        await TrainAsync(5);
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=history-row]").Count), Wait);
        var rows = cut.FindAll("[data-testid=history-row]");
        Assert.Equal("3", rows[0].GetAttribute("data-clusters"));
        Assert.Equal("5", rows[1].GetAttribute("data-clusters"));
        Assert.Equal("42", rows[0].QuerySelector("[data-testid=history-seed]")!.TextContent);
        Assert.Equal("7", rows[1].QuerySelector("[data-testid=history-seed]")!.TextContent);
        // The history keeps plain values and a thumbnail, not the result.
        Assert.All(_session.History.Runs, r => Assert.StartsWith("data:image/png;base64,", r.ThumbnailDataUrl));
    }

    [Fact]
    public async Task Compare_shows_the_selected_runs_side_by_side()
    {
        await TrainAsync(3);
        await TrainAsync(5);
        await TrainAsync(4);
        var cut = _ctx.Render<HistoryPanel>(_session);
        Assert.True(cut.Find("[data-testid=compare-button]").HasAttribute("disabled"));
        var boxes = cut.FindAll("[data-testid=history-select]");
        Assert.Equal(3, boxes.Count);
        boxes[0].Change(true);
        cut.FindAll("[data-testid=history-select]")[1].Change(true);
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=compare-button]").HasAttribute("disabled")));
        cut.Find("[data-testid=compare-button]").Click();

        var view = cut.Find("[data-testid=compare-view]");
        Assert.Equal("2", view.GetAttribute("data-runs"));
        Assert.Equal(new[] { "1", "2" }, cut.FindAll("[data-testid=compare-image]").Select(f => f.GetAttribute("data-run")));
        Assert.Equal("2", cut.Find("[data-testid=compare-loss-chart]").GetAttribute("data-traces"));
        var caption = cut.Find("[data-testid=compare-loss-chart-caption]").TextContent;
        Assert.Contains("run #1 (k=3)", caption);
        Assert.Contains("run #2 (k=5)", caption);
        Assert.DoesNotContain("k=4", caption);
        var metrics = cut.Find("[data-testid=compare-metrics]").TextContent;
        foreach (var word in new[] { "Final loss", "Inertia", "Silhouette", "Davies–Bouldin", "Seconds", "k=3", "k=5" })
            Assert.Contains(word, metrics);
        Assert.DoesNotContain("k=4", metrics);
    }

    [Fact]
    public async Task Csv_has_a_header_and_one_line_per_run()
    {
        await TrainAsync(3);
        await TrainAsync(5);
        var lines = _session.History.ToCsv().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal(string.Join(',', RunHistory.CsvColumns), lines[0]);
        var header = lines[0].Split(',');
        var first = lines[1].Split(',');
        Assert.Equal(header.Length, first.Length);
        Assert.Equal("3", first[Array.IndexOf(header, "clusters")]);
        Assert.Equal("42", first[Array.IndexOf(header, "seed")]);
        Assert.Equal("5", lines[2].Split(',')[Array.IndexOf(header, "clusters")]);

        var cut = _ctx.Render<HistoryPanel>(_session);
        Assert.Contains($"download/{_session.Files.Id}/history.csv", cut.Find("[data-testid=history-csv]").GetAttribute("href"));
    }

    [Fact]
    public async Task Recluster_reuses_the_trained_model_instead_of_training_and_keeps_the_loss_curve()
    {
        await TrainAsync(3);
        var losses = _session.Jobs.EpochLosses;
        var model = _session.Current.Result!.Model!;
        var cut = _ctx.Render<ParameterPanel>(_session);
        var training = _ctx.Render<TrainingPanel>(_session);
        _session.Settings.Form.Clusters = 5;
        cut.Render();
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=recluster-button]").HasAttribute("disabled")));
        await cut.InvokeAsync(() => cut.Find("[data-testid=recluster-button]").Click());
        await TestData.Until(() => _session.Jobs.State == SessionState.Finished && _session.History.Count == 2);

        Assert.True(_session.Current.Result!.Reclustered);
        Assert.Same(model, _session.Current.Result.Model); // no new training
        Assert.Equal(5, _session.Current.Result.Clusters.Count);
        Assert.Same(losses, _session.Jobs.EpochLosses); // the chart keeps the trained curve
        Assert.True(_session.History.Runs[^1].Reclustered);
        training.WaitForAssertion(() => Assert.NotNull(training.Find("[data-testid=reclustered-chip]")), Wait);

        // A training setting changed: re-clustering is refused, Train is needed.
        _session.Settings.Form.Epochs = 12;
        Assert.NotNull(_session.Runs.ReclusterBlocker);
        Assert.False(_session.Runs.CanRecluster);
    }

    [Fact]
    public async Task Suggest_k_draws_the_sweep_and_apply_sets_clusters_and_reclusters()
    {
        await TrainAsync(3);
        var model = _session.Current.Result!.Model!;
        var cut = _ctx.Render<KSweepPanel>(_session);
        await cut.InvokeAsync(() => cut.Find("[data-testid=suggest-k-button]").Click());
        cut.WaitForAssertion(() => Assert.Equal("11", cut.Find("[data-testid=k-sweep-chart]").GetAttribute("data-points")), Wait);
        int suggested = int.Parse(cut.Find("[data-testid=k-suggestion]").GetAttribute("data-k")!);
        Assert.InRange(suggested, 2, 12);
        Assert.Contains("silhouette", cut.Find("[data-testid=k-suggestion]").TextContent);
        var caption = cut.Find("[data-testid=k-sweep-chart-caption]").TextContent;
        Assert.Contains("k = 2…12", caption);
        Assert.EndsWith($"suggested k = {suggested}.", caption);

        await TestData.Until(() => !_session.Jobs.IsBusy);
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=apply-k-button]").HasAttribute("disabled")), Wait);
        await cut.InvokeAsync(() => cut.Find("[data-testid=apply-k-button]").Click());
        Assert.Equal(suggested, _session.Settings.Form.Clusters);
        await TestData.Until(() => _session.Jobs.State == SessionState.Finished && _session.Current.Result!.Clusters.Count == suggested);
        Assert.True(_session.Current.Result!.Reclustered);
        Assert.Same(model, _session.Current.Result.Model); // applied by re-clustering the same model, not training
    }

    [Fact]
    public void Suggestion_breaks_silhouette_ties_at_the_elbow()
    {
        // Inertia with a clear elbow at k = 4; silhouettes of 3, 4 and 6 tie.
        double[] inertia = [100, 60, 20, 17, 15, 14];
        double[] silhouette = [0.2, 0.5, 0.505, 0.3, 0.5, 0.1];
        var points = Enumerable.Range(0, 6).Select(i => new KSweepPoint(i + 2, inertia[i], silhouette[i], 1)).ToArray();
        Assert.Equal(4, KSweep.Elbow(points));
        var s = KSweep.From(points);
        Assert.Equal(4, s.SuggestedK);
        Assert.Contains("elbow", s.Reason);
        var clear = KSweep.From(points.Select(p => p with { Silhouette = p.K == 6 ? 0.9 : 0.1 }).ToArray());
        Assert.Equal(6, clear.SuggestedK);
        Assert.Contains("best silhouette", clear.Reason);
    }

    [Fact]
    public async Task Query_string_prefills_the_form_and_loads_the_sample()
    {
        _session.AttachTo(_ctx);
        _ctx.Services.GetRequiredService<NavigationManager>()
            .NavigateTo("/?sample=coffee&k=5&epochs=12&heads=4&window=3&seed=7&preset=original&batch=512&lr=0.002");
        var cut = _ctx.Render<Home>();
        cut.WaitForAssertion(() => Assert.Equal("coffee.png", _session.Image.Name), Wait);
        var f = _session.Settings.Form;
        Assert.Equal((Preset.Original, 5, 12, 4, 3, 7, 512, 0.002), (f.Preset, f.Clusters, f.Epochs, f.HeadCount, f.Window, f.Seed, f.BatchSize, f.LearningRate));
        Assert.True(f.IsValid);
        Assert.Equal("5", cut.Find("[data-testid=clusters-input]").GetAttribute("value"));
        Assert.Equal("12", cut.Find("[data-testid=epochs-input]").GetAttribute("value"));
    }

    [Fact]
    public void Query_string_fills_the_advanced_settings_too()
    {
        _session.AttachTo(_ctx);
        _ctx.Services.GetRequiredService<NavigationManager>()
            .NavigateTo("/?k=5&codeSize=16&hiddenWidth=32&activation=gelu&kmeansRestarts=3&kmeansInit=random");
        _ctx.Render<Home>();
        var f = _session.Settings.Form;
        Assert.Equal((5, 16, 32, Activation.Gelu, 3, Engine.Clustering.KMeansInit.Random),
            (f.Clusters, f.Advanced.CodeSize, f.Advanced.HiddenWidth, f.Advanced.Activation, f.Advanced.KMeansRestarts, f.Advanced.KMeansInit));
        Assert.True(f.IsValid, string.Join(" ", f.Errors));
    }

    [Fact]
    public async Task Invalid_query_values_show_the_forms_messages()
    {
        using var fresh = TestData.Session(); // no image yet, as a first visit
        fresh.AttachTo(_ctx);
        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/?k=99&epochs=abc&heads=3&preset=turbo&sample=nope");
        var cut = _ctx.Render<Home>();
        cut.WaitForAssertion(() =>
        {
            Assert.Contains("The number of clusters can be at most 64; got 99.", cut.Markup);
            Assert.Contains("Enter a number of epochs", cut.Markup);
            Assert.Contains("Attention heads must be", cut.Markup);
            Assert.Equal(2, cut.FindAll("[data-testid=link-problem]").Count);
            Assert.True(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
        }, Wait);
        // The page still opens with the default sample (decoded for real, so it may land after the form's messages).
        cut.WaitForAssertion(() => Assert.Equal("astronaut.png", fresh.Image.Name), Wait);
        await Task.CompletedTask;
    }

    [Fact]
    public void Settings_json_and_link_round_trip_through_the_query()
    {
        var form = new ParameterForm { Clusters = 6, Seed = 9 };
        form.Window = 3;
        var json = System.Text.Json.Nodes.JsonNode.Parse(RunSettings.ToJson(form, "astronaut", "http://127.0.0.1:5000/"))!;
        Assert.Equal(6, json["clusters"]!.GetValue<int>());
        Assert.Equal(9, json["seed"]!.GetValue<int>());
        Assert.Equal("fast", json["preset"]!.GetValue<string>());
        var link = json["link"]!.GetValue<string>();
        Assert.StartsWith("http://127.0.0.1:5000/?sample=astronaut&", link);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(link).Query)
            .ToDictionary(kv => kv.Key, kv => (string?)kv.Value.ToString());
        var copy = new ParameterForm();
        Assert.Empty(RunSettings.Apply(copy, query));
        Assert.Equal(form.ToParameters(), copy.ToParameters());
    }

    [Fact]
    public async Task Attention_view_shows_a_grid_per_head_or_explains_window_1()
    {
        _session.Settings.Form.Window = 1; // the Fast preset's default window is 3 now
        await TrainAsync(3);
        var cut = _ctx.Render<ResultsPanel>(_session);
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=attention-explanation]")), Wait);

        _session.Settings.Form.Window = 3;
        await TrainAsync(3);
        // No JS in tests, so the image counts as shown at its natural size: offset (3, 2) is pixel (3, 2).
        await cut.InvokeAsync(() => cut.Find("[data-testid=original-image]").Click(new Microsoft.AspNetCore.Components.Web.MouseEventArgs { OffsetX = 3, OffsetY = 2 }));
        cut.WaitForAssertion(() => Assert.Equal(_session.Settings.Form.HeadCount, cut.FindAll("[data-testid=attention-head]").Count), Wait);
        Assert.Equal("3", cut.Find("[data-testid=attention-pixel]").GetAttribute("data-x"));
        Assert.Equal("2", cut.Find("[data-testid=attention-pixel]").GetAttribute("data-y"));
        Assert.Equal(9, cut.FindAll("[data-testid=attention-head]")[0].QuerySelectorAll("span").Length);
    }

    [Fact]
    public void Click_offsets_map_to_image_pixels_through_the_displayed_size()
    {
        Assert.Equal((256, 128), AttentionInsight.PixelAt(100, 50, 200, 200, 512, 512));
        Assert.Equal((511, 0), AttentionInsight.PixelAt(250, -3, 200, 200, 512, 512)); // clamped
        Assert.Equal((3, 2), AttentionInsight.PixelAt(3.7, 2.2, 0, 0, 8, 6));           // size unknown: natural size
    }
}
