using Bunit;
using Segmenter.Engine.Steering;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>
/// The scribble controls and <see cref="ClusterEditing.ReclusterWithScribblesAsync"/> on a session whose fake
/// engine "trains" three clusters (pixel i in cluster i mod 3) and whose codes are the pixels' colours.
/// </summary>
public sealed class ScribblePanelTests : IAsyncLifetime
{
    private const int W = 8, H = 6;
    private readonly BunitContext _ctx = TestData.Context();
    private readonly TestSession _session;

    public ScribblePanelTests() => _session = EditSessions.ThreeClusters(W, H, "three.png");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { _session.Dispose(); await _ctx.DisposeAsync(); }

    private Task Run() => TestData.TrainAsync(_session);

    [Fact]
    public void Before_a_run_there_is_no_canvas()
    {
        var cut = _ctx.Render<ScribblePanel>(_session);
        Assert.Empty(cut.FindAll("[data-testid=scribble-canvas]"));
        Assert.Contains("After a run", cut.Markup);
    }

    [Fact]
    public async Task After_a_run_the_canvas_has_the_image_size_and_all_brushes_and_one_is_chosen_at_a_time()
    {
        await Run();
        var cut = _ctx.Render<ScribblePanel>(_session);
        var canvas = cut.Find("[data-testid=scribble-canvas]");
        Assert.Equal($"{W}", canvas.GetAttribute("data-width"));
        Assert.Equal($"{H}", canvas.GetAttribute("data-height"));
        Assert.Equal(Scribbles.MaxBrushes, cut.FindAll("[data-testid=brush]").Count);
        Assert.False(cut.Find("[data-testid=scribble-recluster-button]").HasAttribute("disabled"));

        await cut.InvokeAsync(() => cut.Find("[data-testid=brush][data-brush=\"3\"]").Click());
        var pressed = cut.FindAll("[data-testid=brush][aria-pressed=true]");
        Assert.Equal("3", Assert.Single(pressed).GetAttribute("data-brush"));
    }

    [Fact]
    public async Task A_canvas_the_script_could_not_attach_to_is_attached_at_the_next_render_and_an_attached_one_is_not_attached_again()
    {
        await Run();
        var module = _ctx.JSInterop.SetupModule("./scribbles.js");
        var attach = module.Setup<string?>("attach", _ => true);
        attach.SetResult(null); // the reference was not a rendered canvas yet
        var cut = _ctx.Render<ScribblePanel>(_session);
        string key = cut.Find("[data-testid=scribble-canvas]").GetAttribute("data-key")!;
        Assert.Single(module.Invocations, i => i.Identifier == "attach");
        Assert.DoesNotContain(module.Invocations, i => i.Identifier == "setBrush");

        var attachedNow = module.Setup<string?>("attach", _ => true);
        attachedNow.SetResult(key);
        cut.Render();
        Assert.Equal(2, module.Invocations.Count(i => i.Identifier == "attach"));
        Assert.Single(module.Invocations, i => i.Identifier == "setBrush");

        cut.Render();
        Assert.Equal(2, module.Invocations.Count(i => i.Identifier == "attach"));
    }

    [Fact]
    public async Task The_fine_tune_button_shows_its_epochs_and_is_enabled_only_while_the_trained_model_is_held()
    {
        Assert.Empty(_ctx.Render<ScribblePanel>(_session).FindAll("[data-testid=scribble-finetune-button]"));
        await Run();
        var cut = _ctx.Render<ScribblePanel>(_session);
        var button = cut.Find("[data-testid=scribble-finetune-button]");
        Assert.False(button.HasAttribute("disabled"));
        Assert.Contains($"Fine-tune {FineTuneSettings.DefaultEpochs} epochs", button.TextContent);

        cut.Find("[data-testid=scribble-finetune-epochs]").Change("7");
        Assert.Contains("Fine-tune 7 epochs", cut.Find("[data-testid=scribble-finetune-button]").TextContent);
        cut.Find("[data-testid=scribble-finetune-epochs]").Change("99");
        Assert.Contains($"Fine-tune {FineTuneSettings.MaxEpochs} epochs", cut.Find("[data-testid=scribble-finetune-button]").TextContent);

        await TestData.Until(() => _session.Memory.ReleaseResident() > 0);
        cut.Render();
        Assert.True(cut.Find("[data-testid=scribble-finetune-button]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Strokes_relabel_as_an_undoable_edit_and_are_kept()
    {
        await Run();
        var before = _session.Current.Result!.Labels.ToArray();
        var strokes = new byte[W * H];
        strokes[0] = 1; strokes[1] = 1; strokes[W * H - 1] = 2; // pixels 0 and 1 are in different clusters before
        Assert.True(await _session.Edits.ReclusterWithScribblesAsync(strokes), _session.Changes.Error);
        var after = _session.Current.Result!.Labels;
        Assert.Equal(after[0], after[1]);
        Assert.NotEqual(after[0], after[W * H - 1]);
        Assert.Same(strokes, _session.Edits.CurrentScribbles!.BrushOfPixel);

        Assert.True(await _session.Edits.UndoEditAsync(), _session.Changes.Error);
        Assert.Equal(before, _session.Current.Result!.Labels.ToArray());
    }

    [Theory]
    [InlineData(W * H - 1, 1, "pixels")]
    [InlineData(W * H, Scribbles.MaxBrushes + 1, "not a brush")]
    [InlineData(W * H, 0, "at least one stroke")]
    public async Task Bad_strokes_go_to_the_error_channel_and_change_nothing(int length, int value, string message)
    {
        await Run();
        var shown = _session.Current.Result;
        var strokes = new byte[length];
        strokes[0] = (byte)value;
        Assert.False(await _session.Edits.ReclusterWithScribblesAsync(strokes));
        Assert.Contains(message, _session.Changes.Error);
        Assert.Same(shown, _session.Current.Result);
        Assert.Null(_session.Edits.CurrentScribbles);
    }
}
