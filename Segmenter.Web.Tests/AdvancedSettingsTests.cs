using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>Issue 16's Advanced section: the form's checks are the engine's, and the settings survive link and JSON.</summary>
public class AdvancedSettingsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly BunitContext _ctx = TestData.Context();
    private readonly FakeEngine _engine = TestData.EchoingEngine();
    private readonly SegmentationSession _session;

    public AdvancedSettingsTests()
    {
        _session = TestData.Session(engine: _engine);
        _session.SetImage(TestData.Image(8, 6), "test.png");
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { _session.Dispose(); await _ctx.DisposeAsync(); }

    [Fact]
    public void An_invalid_advanced_value_shows_the_engines_message_disables_Train_and_reset_restores_the_preset()
    {
        var cut = _ctx.Render<ParameterPanel>(p => p.Add(c => c.Session, _session));
        Assert.Empty(cut.FindAll("[data-testid=advanced-error]"));
        Assert.False(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));

        _session.Form.HeadCount = 8;
        _session.Form.HiddenWidth = 60;
        cut.Render();
        cut.WaitForAssertion(() => Assert.Equal("Hidden width 60 is not divisible by 8 heads.", cut.Find("[data-testid=advanced-error]").TextContent), Wait);
        Assert.True(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
        Assert.Null(_session.Form.ToParameters());

        _session.Form.CodeSize = 16;
        cut.Find("[data-testid=advanced-reset]").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=advanced-error]")), Wait);
        var preset = SegmentationParameters.ForPreset(_session.Form.Preset);
        Assert.Equal((preset.CodeSize, preset.HiddenWidth), (_session.Form.CodeSize, _session.Form.HiddenWidth));
        Assert.False(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
    }

    [Fact]
    public void Advanced_settings_round_trip_json_to_link_to_form()
    {
        var form = new ParameterForm
        {
            Clusters = 5, CodeSize = 16, HiddenWidth = 96, EncoderDepth = 2, DecoderDepth = 3, Activation = Activation.Gelu,
            KMeansRestarts = 3, KMeansMaxIterations = 40, KMeansTolerance = 0.002, KMeansInit = KMeansInit.Random,
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
        Assert.Contains("activation must be one of", form.AdvancedError);
        Assert.False(form.IsValid);
    }

    [Fact]
    public async Task Changing_only_kmeans_settings_reclusters_without_training()
    {
        _session.Form.Clusters = 3;
        Assert.True(await _session.StartAsync());
        await TestData.Until(() => _session.State == SessionState.Finished && _session.History.Count == 1);
        _session.Form.KMeansRestarts = 2;
        _session.Form.KMeansInit = KMeansInit.Random;
        Assert.True(_session.CanRecluster, _session.ReclusterBlocker);
        _session.Form.CodeSize = 8;
        Assert.False(_session.CanRecluster);
    }
}
