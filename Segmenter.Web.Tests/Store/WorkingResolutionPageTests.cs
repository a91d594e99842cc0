using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Segmenter.Web.Components.Pages;
using Segmenter.Web.Components.Panels;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Web.Tests.Store;

/// <summary>
/// A run above the working resolution's pixel limit says so on its result and on its stored link's page, with the size
/// the engine really worked at; a run within the limit says nothing. Real engine, real SQLite store.
/// </summary>
public sealed class WorkingResolutionPageTests : IAsyncLifetime
{
    private readonly TemporaryDataFolder _folder = new("segmenter-working-resolution-");
    private readonly BunitContext _ctx = TestData.Context();
    private StoreHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StoreHost.StartAsync(_folder.Settings);
        _ctx.Services.AddSingleton(_host.Store);
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _host.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<TestSession> TrainedAsync(int maxPixels)
    {
        var session = TestSession.Create(store: _host.Store);
        await session.History.AttachAsync(RunCodec.NewId());
        session.Image.Set(TestData.Bands(96, 80), "bands.png");
        session.Settings.Form.Clusters = 2;
        session.Settings.Form.Epochs = 1;
        session.Settings.Form.Advanced.MaxPixels = maxPixels;
        await TestData.TrainAsync(session);
        await TestData.Until(() => session.History.Runs.Single().RunId is not null);
        return session;
    }

    [Fact]
    public async Task A_run_on_a_downscaled_copy_names_the_copys_size_on_its_result_and_its_link()
    {
        using var session = await TrainedAsync(maxPixels: 4096);
        var result = session.Current.Result!;
        // 96×80 = 7,680 pixels over a 4,096 limit: the same aspect scaled by √(4096/7680), rounded down.
        Assert.Equal((70, 58), result.WorkingSize);
        Assert.Equal(70 * 58, result.CodeLabels.Length); // the engine did work at that size
        Assert.Equal(96 * 80, result.Labels.Length);
        const string said = "· worked on a 70 × 58 copy (the 4,096-pixel limit); labels brought back to all 96 × 80 pixels by colour";

        var panel = _ctx.Render<ResultsPanel>(session);
        Assert.Equal(said, panel.Find("[data-testid=working-resolution]").TextContent.Trim());

        var page = _ctx.Render<RunPage>(p => p.Add(c => c.Id, session.History.Runs.Single().RunId!));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=run-page]")));
        Assert.Equal(said, page.Find("[data-testid=working-resolution]").TextContent.Trim());
    }

    [Fact]
    public async Task A_run_within_the_limit_says_nothing_of_a_copy()
    {
        using var session = await TrainedAsync(maxPixels: 0); // 0: always the full image
        Assert.Equal((96, 80), session.Current.Result!.WorkingSize);
        Assert.Equal(96 * 80, session.Current.Result.CodeLabels.Length);

        var panel = _ctx.Render<ResultsPanel>(session);
        Assert.NotEmpty(panel.FindAll("[data-testid=result-summary]"));
        Assert.Empty(panel.FindAll("[data-testid=working-resolution]"));

        var page = _ctx.Render<RunPage>(p => p.Add(c => c.Id, session.History.Runs.Single().RunId!));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=run-page]")));
        Assert.Empty(page.FindAll("[data-testid=working-resolution]"));
    }
}
