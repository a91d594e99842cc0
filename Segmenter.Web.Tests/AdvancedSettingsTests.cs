using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>
/// The form's Advanced section: its checks are the engine's, the settings survive link and JSON, and the history
/// table, CSV and compare view show them.
/// </summary>
public class AdvancedSettingsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TestData.HangGuard;
    private readonly BunitContext _ctx = TestData.Context();
    private readonly TestSession _session;

    public AdvancedSettingsTests()
    {
        _session = TestData.Session(); // the real engine on an 8×6 image
        _session.Image.Set(TestData.Image(8, 6), "test.png");
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { _session.Dispose(); await _ctx.DisposeAsync(); }

    [Fact]
    public void An_invalid_advanced_value_shows_the_engines_message_disables_Train_and_reset_restores_the_preset()
    {
        var cut = _ctx.Render<ParameterPanel>(_session);
        Assert.Empty(cut.FindAll("[data-testid=advanced-error]"));
        Assert.False(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));

        _session.Settings.Form.HeadCount = 8;
        _session.Settings.Form.Advanced.HiddenWidth = 60;
        cut.Render();
        cut.WaitForAssertion(() => Assert.Equal("Hidden width 60 is not divisible by 8 heads.", cut.Find("[data-testid=advanced-error]").TextContent), Wait);
        Assert.True(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
        Assert.Null(_session.Settings.Form.ToParameters());

        _session.Settings.Form.Advanced.CodeSize = 16;
        cut.Find("[data-testid=advanced-reset]").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=advanced-error]")), Wait);
        var preset = SegmentationParameters.ForPreset(_session.Settings.Form.Preset);
        Assert.Equal((preset.CodeSize, preset.HiddenWidth), (_session.Settings.Form.Advanced.CodeSize, _session.Settings.Form.Advanced.HiddenWidth));
        Assert.False(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
    }

    [Fact]
    public void Every_advanced_setting_gets_a_field_with_its_label_hint_and_range_and_edits_reach_the_form()
    {
        var cut = _ctx.Render<ParameterPanel>(_session);
        var hints = cut.FindAll("[data-testid=hint]").Select(h => h.GetAttribute("aria-label")).ToList();
        foreach (var f in AdvancedFields.Shown)
        {
            Assert.False(string.IsNullOrEmpty(f.Label), f.Name);
            Assert.Contains(cut.FindAll("label"), l => l.TextContent.Trim() == f.Label);
            Assert.Contains(hints, h => h!.StartsWith(f.Hint, StringComparison.Ordinal));
        }
        var codeSize = cut.Find("[data-testid=code-size-input]");
        Assert.Equal("INPUT", codeSize.TagName);
        Assert.Equal((SegmentationParameters.MinCodeSize.ToString(), SegmentationParameters.MaxCodeSize.ToString()),
            (codeSize.GetAttribute("min"), codeSize.GetAttribute("max")));

        codeSize.Input("16");
        cut.Find("[data-testid=kmeans-iterations-input]").Input("40");
        cut.Find("[data-testid=colour-weight-input]").Input("1.5");
        cut.WaitForAssertion(() => Assert.Equal((16, 40, 1.5), (_session.Settings.Form.Advanced.CodeSize, _session.Settings.Form.Advanced.KMeansMaxIterations, _session.Settings.Form.Advanced.ColourWeight)), Wait);
    }

    [Fact]
    public void Max_pixels_starts_at_the_presets_limit_and_a_value_below_the_smallest_copy_gets_the_engines_message()
    {
        var cut = _ctx.Render<ParameterPanel>(_session);
        Assert.Equal(SegmentationParameters.ForPreset(_session.Settings.Form.Preset).MaxPixels, _session.Settings.Form.Advanced.MaxPixels);

        _session.Settings.Form.Advanced.MaxPixels = 100;
        cut.Render();
        cut.WaitForAssertion(() => Assert.Equal("The working resolution's pixel limit must be 0 (always the full image) or at least 4096; got 100.",
            cut.Find("[data-testid=advanced-error]").TextContent), Wait);
        Assert.True(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));

        _session.Settings.Form.Advanced.MaxPixels = 0; // always the full image: a valid choice
        cut.Render();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=advanced-error]")), Wait);
        Assert.Equal(0, _session.Settings.Form.ToParameters()!.MaxPixels);
    }

    [Fact]
    public void Advanced_settings_round_trip_json_to_link_to_form()
    {
        var form = new ParameterForm
        {
            Clusters = 5,
            Advanced =
            {
                CodeSize = 16, HiddenWidth = 96, EncoderDepth = 2, DecoderDepth = 3, Activation = Activation.Gelu,
                KMeansRestarts = 3, KMeansMaxIterations = 40, KMeansTolerance = 0.002, KMeansInit = KMeansInit.Random,
            },
        };
        var json = System.Text.Json.Nodes.JsonNode.Parse(RunSettings.ToJson(form, null, "http://127.0.0.1:5000/"))!;
        Assert.Equal(16, json["codeSize"]!.GetValue<int>());
        Assert.Equal("gelu", json["activation"]!.GetValue<string>());
        Assert.Equal("random", json["kmeansInit"]!.GetValue<string>());
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(json["link"]!.GetValue<string>()).Query)
            .ToDictionary(kv => kv.Key, kv => (string?)kv.Value.ToString());
        var copy = new ParameterForm();
        Assert.Empty(RunSettings.Apply(copy, query));
        var p = copy.ToParameters()!;
        Assert.Equal(form.ToParameters(), p);
        Assert.Equal(p, ReportParameters.Read(ReportParameters.ToJson(p))); // and into the report and back

        var filled = new ParameterForm();
        RunSettings.Fill(filled, p);
        Assert.Equal(p, filled.ToParameters());
    }

    [Fact]
    public void An_unknown_activation_in_a_link_leaves_the_form_invalid_with_a_message()
    {
        var form = new ParameterForm();
        RunSettings.Apply(form, new Dictionary<string, string?> { ["activation"] = "sigmoid" });
        Assert.Contains("activation must be one of", form.Advanced.Error);
        Assert.False(form.IsValid);
    }

    [Fact]
    public async Task Changing_only_kmeans_settings_reclusters_without_training()
    {
        _session.Settings.Form.Clusters = 3;
        await TestData.TrainAsync(_session);
        _session.Settings.Form.Advanced.KMeansRestarts = 2;
        _session.Settings.Form.Advanced.KMeansInit = KMeansInit.Random;
        Assert.True(_session.Runs.CanRecluster, _session.Runs.ReclusterBlocker);
        _session.Settings.Form.Advanced.CodeSize = 8;
        Assert.False(_session.Runs.CanRecluster);
    }

    // The history row, its CSV line and the compare view carry the model's shape and k-means' settings.

    /// <summary>A preset default run, then one with code 16, GELU, 2+3 layers, 7 random-seeded restarts, 50 iterations, tolerance 0.001.</summary>
    private async Task TrainDefaultThenCustomAsync()
    {
        await TestData.TrainAsync(_session);
        var f = _session.Settings.Form;
        f.Advanced.CodeSize = 16; f.Advanced.Activation = Activation.Gelu; f.Advanced.EncoderDepth = 2; f.Advanced.DecoderDepth = 3;
        f.Advanced.KMeansRestarts = 7; f.Advanced.KMeansInit = KMeansInit.Random; f.Advanced.KMeansMaxIterations = 50; f.Advanced.KMeansTolerance = 1e-3;
        await TestData.TrainAsync(_session);
    }

    [Fact]
    public async Task History_rows_show_the_model_and_kmeans_settings_compactly()
    {
        await TrainDefaultThenCustomAsync();
        var defaults = SegmentationParameters.ForPreset(_session.Settings.Form.Preset);
        var cut = _ctx.Render<HistoryPanel>(_session);
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
        Assert.Equal("kmeansplusplus", lines[1].Split(',')[Array.IndexOf(header, "kmeans_init")]);
    }

    [Fact]
    public async Task Compare_view_shows_each_runs_model_and_kmeans_settings()
    {
        await TrainDefaultThenCustomAsync();
        var cut = _ctx.Render<HistoryPanel>(_session);
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
