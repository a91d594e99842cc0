using Segmenter.Engine.Pipeline;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

public class ParameterPanelTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = TestData.Context();
    private readonly TestSession _session = TestData.Session();

    public ParameterPanelTests() => _session.Image.Set(TestData.Image(8, 6), "test.png");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { _session.Dispose(); await _ctx.DisposeAsync(); }

    private IRenderedComponent<ParameterPanel> Render() => _ctx.Render<ParameterPanel>(_session);

    [Fact]
    public void Test_ids_sit_on_the_real_input_elements()
    {
        var cut = Render();
        Assert.Equal("INPUT", cut.Find("[data-testid=clusters-input]").TagName);
        Assert.Equal("INPUT", cut.Find("[data-testid=epochs-input]").TagName);
        Assert.Equal("INPUT", cut.Find("[data-testid=seed-input]").TagName);
        Assert.NotNull(cut.Find("[data-testid=heads-select]"));
        Assert.NotNull(cut.Find("[data-testid=window-select]"));
        Assert.Equal("BUTTON", cut.Find("[data-testid=train-button]").TagName);
        Assert.Equal("BUTTON", cut.Find("[data-testid=cancel-button]").TagName);
    }

    [Fact]
    public void Valid_defaults_enable_Train_and_disable_Cancel()
    {
        var cut = Render();
        Assert.False(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
        Assert.True(cut.Find("[data-testid=cancel-button]").HasAttribute("disabled"));
    }

    [Theory]
    [InlineData("clusters-input", "65", "The number of clusters can be at most 64; got 65.")]
    [InlineData("clusters-input", "1", "The number of clusters must be at least 2; got 1.")]
    [InlineData("epochs-input", "0", "Epochs must be between 1 and 1000; got 0.")]
    [InlineData("epochs-input", "1001", "Epochs must be between 1 and 1000; got 1001.")]
    public void Out_of_range_values_show_a_message_and_disable_Train(string testId, string value, string message)
    {
        var cut = Render();
        cut.Find($"[data-testid={testId}]").Input(value);
        cut.WaitForAssertion(() =>
        {
            Assert.Contains(message, cut.Markup);
            Assert.True(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
        });

        cut.Find($"[data-testid={testId}]").Input("5");
        cut.WaitForAssertion(() =>
        {
            Assert.DoesNotContain(message, cut.Markup);
            Assert.False(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
        });
    }

    // In the browser a field loses focus after typing (Tab, a click elsewhere); MudBlazor then runs the field's own
    // validation, which replaces the Error/ErrorText the form gives it: the field's validation must say the same, or
    // Train is disabled with no message.
    [Theory]
    [InlineData("clusters-input", "65", "The number of clusters can be at most 64; got 65.", "5")]
    [InlineData("epochs-input", "0", "Epochs must be between 1 and 1000; got 0.", "3")]
    [InlineData("batch-input", "0", "The batch size must be between 1 and 65536; got 0.", "512")]
    [InlineData("lr-input", "1e30", "The learning rate must be between 0.000001 and 1.", "0.004")]
    [InlineData("seed-input", "-1", "The seed must be a whole number ≥ 0; got -1.", "42")]
    public void The_message_stays_after_the_field_loses_focus(string testId, string value, string message, string fixedValue)
    {
        var cut = Render();
        cut.Find($"[data-testid={testId}]").Input(value);
        cut.Find($"[data-testid={testId}]").Blur();
        cut.WaitForAssertion(() =>
        {
            Assert.Contains(message, cut.Markup);
            Assert.Equal("true", cut.Find($"[data-testid={testId}]").GetAttribute("aria-invalid"));
            Assert.True(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
        });

        cut.Find($"[data-testid={testId}]").Input(fixedValue);
        cut.Find($"[data-testid={testId}]").Blur();
        cut.WaitForAssertion(() =>
        {
            Assert.DoesNotContain(message, cut.Markup);
            Assert.False(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
        });
    }

    [Fact]
    public void A_value_set_from_outside_shows_and_clears_its_message()
    {
        var cut = Render();
        cut.Find("[data-testid=clusters-input]").Input("3");
        cut.Find("[data-testid=clusters-input]").Blur();
        _session.Settings.Form.Clusters = 99; // a link or a suggestion sets the form directly
        cut.Render();
        Assert.Contains("The number of clusters can be at most 64; got 99.", cut.Markup);
        _session.Settings.Form.Clusters = 4;
        cut.Render();
        Assert.DoesNotContain("The number of clusters can be at most 64", cut.Markup);
    }

    [Fact]
    public void Boundary_values_are_accepted()
    {
        var f = new ParameterForm { Clusters = 2, Epochs = 200 };
        Assert.True(f.IsValid);
        f.Clusters = 16; f.Epochs = 1;
        Assert.True(f.IsValid);
        f.Clusters = null;
        Assert.False(f.IsValid);
        Assert.NotNull(f.ClustersError);
    }

    [Fact]
    public void Choosing_a_preset_fills_the_fields_from_the_engine()
    {
        var f = new ParameterForm();
        f.ApplyPreset(Preset.Original);
        var original = SegmentationParameters.ForPreset(Preset.Original);
        Assert.Equal(original.BatchSize, f.BatchSize);
        Assert.Equal(original.LearningRate, f.LearningRate);
        Assert.Equal(original.Epochs, f.Epochs);
        Assert.Equal(Preset.Original, f.ToParameters()!.Preset);
        Assert.Null(f.ToParameters()!.TrainingSample);
    }

    [Fact]
    public async Task Train_is_disabled_while_a_run_is_under_way()
    {
        var release = new TaskCompletionSource();
        var runner = TestData.Runner();
        TestData.HoldJobs(runner, release.Task);
        using var session = TestData.Session(runner);
        session.Image.Set(TestData.Image(8, 6), "test.png");
        var cut = _ctx.Render<ParameterPanel>(session);

        await cut.InvokeAsync(() => cut.Find("[data-testid=train-button]").Click());
        cut.WaitForAssertion(() =>
        {
            Assert.True(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
            Assert.False(cut.Find("[data-testid=cancel-button]").HasAttribute("disabled"));
        });

        await cut.InvokeAsync(() => cut.Find("[data-testid=cancel-button]").Click());
        cut.WaitForAssertion(() =>
        {
            Assert.Equal(SessionState.Cancelled, session.Jobs.State);
            Assert.False(cut.Find("[data-testid=train-button]").HasAttribute("disabled"));
        });
    }
}

public class LossChartTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = TestData.Context();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public void Each_epoch_event_adds_one_point()
    {
        using var session = TestData.Session();
        var cut = _ctx.Render<LossChart>(session);
        Assert.Equal("0", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points"));

        for (int epoch = 1; epoch <= 3; epoch++)
        {
            session.Jobs.ApplyProgress(new EpochCompleted(new EpochLoss(epoch, 10, 1.0 / epoch, epoch * 0.5)));
            var expected = epoch.ToString();
            cut.WaitForAssertion(() => Assert.Equal(expected, cut.Find("[data-testid=loss-chart]").GetAttribute("data-points")));
        }

        // The points went to the chart through Plotly's extend call, not a redraw.
        Assert.Contains(_ctx.JSInterop.Invocations, i => i.Identifier.Contains("extend", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Progress_and_stage_follow_the_events()
    {
        using var session = TestData.Session();
        var cut = _ctx.Render<TrainingPanel>(session);
        session.Jobs.ApplyProgress(new StageChanged(PipelineStage.Training, 0.1));
        session.Jobs.ApplyProgress(new EpochCompleted(new EpochLoss(1, 4, 0.3, 1.0)));
        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Epoch 1 of 4", cut.Find("[data-testid=progress]").TextContent);
            Assert.Contains("left", cut.Find("[data-testid=progress]").TextContent);
        });
        session.Jobs.ApplyProgress(new StageChanged(PipelineStage.Clustering, 2.0));
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points")));
    }
}

public class ResultsPanelTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = TestData.Context();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task Renders_counts_colours_images_charts_and_downloads_from_the_result()
    {
        const int k = 3;
        using var session = TestData.Session(); // real training on a tiny image of four colours
        session.Image.Set(TestData.Image(8, 6), "cat.png");
        session.Settings.Form.Clusters = k;
        var cut = _ctx.Render<ResultsPanel>(session);
        Assert.Empty(cut.FindAll("[data-testid=segmented-image]"));

        Assert.True(await session.Runs.StartAsync());
        cut.WaitForAssertion(() => Assert.Equal(SessionState.Finished, session.Jobs.State), TestData.HangGuard);
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=segmented-image]")), TestData.HangGuard);

        var expected = session.Current.Result!;
        var items = cut.FindAll("[data-testid=cluster-legend] li");
        Assert.Equal(k, items.Count);
        for (int c = 0; c < k; c++)
        {
            Assert.Equal(expected.Clusters[c].Hex, items[c].GetAttribute("data-colour"));
            Assert.Equal(expected.Clusters[c].PixelCount.ToString(), items[c].GetAttribute("data-count"));
            Assert.Contains($"background:{expected.Clusters[c].Hex}", items[c].InnerHtml);
        }
        Assert.Equal(k.ToString(), cut.Find("[data-testid=distribution-chart]").GetAttribute("data-points"));
        Assert.Equal(expected.Plot.Count.ToString(), cut.Find("[data-testid=color-scatter]").GetAttribute("data-points"));
        Assert.Equal(expected.Plot.Count.ToString(), cut.Find("[data-testid=code-scatter]").GetAttribute("data-points"));
        Assert.Contains($"image/{session.Files.Id}/original.png", cut.Find("[data-testid=original-image]").GetAttribute("src"));
        Assert.Contains($"download/{session.Files.Id}/segmented.png", cut.Find("[data-testid=download-segmented]").GetAttribute("href"));
        Assert.Contains($"download/{session.Files.Id}/labels.png", cut.Find("[data-testid=download-labels]").GetAttribute("href"));
        Assert.Contains($"download/{session.Files.Id}/report.json", cut.Find("[data-testid=download-report]").GetAttribute("href"));
        Assert.NotNull(session.Files.GetPng(ResultImage.Segmented));
        Assert.NotNull(session.Files.GetPng(ResultImage.Labels));
        Assert.Contains("\"clusters\"", session.Files.GetReportJson());
    }
}

public class ImagePanelTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = TestData.Context();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public void Upload_id_is_on_the_file_input_and_every_embedded_sample_has_a_thumbnail()
    {
        using var session = TestData.Session();
        var cut = _ctx.Render<ImagePanel>(session);
        var input = cut.Find("[data-testid=upload-input]");
        Assert.Equal("INPUT", input.TagName);
        Assert.Equal("file", input.GetAttribute("type"));
        foreach (var name in new[] { "astronaut", "chelsea", "coffee", "rocket" })
            Assert.NotNull(cut.Find($"[data-testid=sample-{name}]"));
    }

    [Fact]
    public async Task Clicking_a_sample_loads_it()
    {
        using var session = TestData.Session();
        var cut = _ctx.Render<ImagePanel>(session);
        await cut.InvokeAsync(() => cut.Find("[data-testid=sample-coffee]").Click());
        cut.WaitForAssertion(() => Assert.Equal("coffee.png", session.Image.Name));
    }
}
