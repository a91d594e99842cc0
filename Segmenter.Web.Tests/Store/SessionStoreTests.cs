using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Web.Tests.Store;

/// <summary>Sessions and the store together (real engine on tiny images, real SQLite store): what the page relies on.</summary>
public sealed class SessionStoreTests : IAsyncLifetime
{
    private readonly TemporaryDataFolder _folder = new("segmenter-session-store-");
    private StoreHost _host = null!;
    private readonly List<TestSession> _sessions = [];

    public async Task InitializeAsync() => _host = await StoreHost.StartAsync(_folder.Settings);

    public async Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        await _host.DisposeAsync();
        _folder.Dispose();
    }

    private TestSession NewSession(JobRunner? runner = null)
    {
        var session = TestSession.Create(runner, store: _host.Store);
        _sessions.Add(session);
        return session;
    }

    private static Task TrainAsync(TestSession session, int k)
    {
        session.Settings.Form.Clusters = k;
        return TestData.TrainAsync(session);
    }

    /// <summary>A real 8×6 PNG whose pixels follow the seed: distinct seeds are distinct uploads.</summary>
    private static byte[] Png(int seed)
    {
        var pixels = new byte[8 * 6 * 3];
        new Random(seed).NextBytes(pixels);
        return ImageLoader.EncodePng(new RgbImage(8, 6, pixels));
    }

    private static Task<bool> UploadAsync(TestSession session, byte[] bytes, string name = "upload.png")
        => session.Image.LoadUploadAsync(new MemoryStream(bytes), name);

    [Fact]
    public async Task Finished_runs_are_stored_and_the_same_browser_finds_them_in_a_new_session()
    {
        var owner = RunCodec.NewId();
        var upload = Png(3);
        var first = NewSession();
        await first.History.AttachAsync(owner);
        Assert.True(await UploadAsync(first, upload));
        await TrainAsync(first, 3);
        await TrainAsync(first, 4);
        var ids = first.History.Runs.Select(r => r.RunId).ToArray();
        Assert.All(ids, id => Assert.True(RunCodec.IsId(id)));

        // A reload: a new session of the same browser.
        var reloaded = NewSession();
        await reloaded.History.AttachAsync(owner);
        Assert.Equal(ids, reloaded.History.Runs.Select(r => r.RunId));
        Assert.Equal([3, 4], reloaded.History.Runs.Select(r => r.Clusters));
        Assert.Equal(first.History.Runs.Select(r => r.FinalLoss), reloaded.History.Runs.Select(r => r.FinalLoss));
        // The upload is stored once for both runs, as it was uploaded.
        Assert.Equal(1, (await _host.Store.MeasureAsync()).Images);
        Assert.Equal(upload, (await _host.Store.GetFileAsync(ids[0]!, RunFile.Original))!.Value.Bytes);
        Assert.Equal(first.Current.Result!.Labels, await _host.Store.GetLabelsAsync(ids[1]!));
    }

    [Fact]
    public async Task An_edited_result_is_stored_as_a_run_of_its_own_with_its_parent_and_a_reload_lists_it()
    {
        var owner = RunCodec.NewId();
        var session = NewSession();
        await session.History.AttachAsync(owner);
        Assert.True(await UploadAsync(session, Png(5)));
        await TrainAsync(session, 3);
        var parentId = session.History.Runs.Single().RunId!;

        var editedId = await session.Edits.StoreEditedRunAsync(session.Current.Result!, "merge clusters 0 and 1", parentId);
        Assert.True(RunCodec.IsId(editedId), session.Changes.Error);
        Assert.NotEqual(parentId, editedId);
        Assert.Equal([parentId, editedId], session.History.Runs.Select(r => r.RunId));

        var stored = (await _host.Store.GetAsync(editedId!))!.Summary.Details;
        Assert.Equal(new RunEdit(parentId, "merge clusters 0 and 1"), stored.Edit);
        Assert.Null((await _host.Store.GetAsync(parentId))!.Summary.Details.Edit);
        Assert.Equal(session.Current.Result!.Labels, await _host.Store.GetLabelsAsync(editedId!));
        var report = System.Text.Json.Nodes.JsonNode.Parse((await _host.Store.GetFileAsync(editedId!, RunFile.Report))!.Value.Bytes)!;
        Assert.Equal(parentId, (string?)report["edit"]!["ParentRunId"]);
        Assert.Equal("merge clusters 0 and 1", (string?)report["edit"]!["Summary"]);

        var reloaded = NewSession();
        await reloaded.History.AttachAsync(owner);
        Assert.Equal([parentId, editedId], reloaded.History.Runs.Select(r => r.RunId));
    }

    [Fact]
    public async Task A_merge_and_its_undo_with_the_real_engine_are_stored_as_runs_each_edited_from_the_one_before()
    {
        var (session, trainedId) = await TrainedBandsStoredAsync(24, 16);

        Assert.True(await session.Edits.MergeClustersAsync([0, 1]), session.Changes.Error);
        Assert.True(await session.Edits.UndoEditAsync(), session.Changes.Error);

        var ids = session.History.Runs.Select(r => r.RunId!).ToArray();
        Assert.Equal(3, ids.Length);
        Assert.Equal(trainedId, ids[0]);
        var merged = (await _host.Store.GetAsync(ids[1]))!.Summary;
        Assert.Equal(new RunEdit(trainedId, "merge clusters 0, 1"), merged.Details.Edit);
        Assert.Equal(2, merged.Details.ClusterTable.Count);
        var undone = (await _host.Store.GetAsync(ids[2]))!.Summary;
        Assert.Equal(new RunEdit(ids[1], "undo"), undone.Details.Edit);
        Assert.Equal(await _host.Store.GetLabelsAsync(trainedId), await _host.Store.GetLabelsAsync(ids[2]));
    }

    /// <summary>A session with the real engine and store that trained bands (k = 3, one epoch) and stored the run.</summary>
    private async Task<(TestSession Session, string RunId)> TrainedBandsStoredAsync(int width, int height)
    {
        var session = TestSession.Create(store: _host.Store);
        _sessions.Add(session);
        await session.History.AttachAsync(RunCodec.NewId());
        session.Image.Set(TestData.Bands(width, height), "bands.png");
        session.Settings.Form.Clusters = 3;
        session.Settings.Form.Epochs = 1;
        Assert.True(await session.Runs.StartAsync(), session.Changes.Error);
        await TestData.Until(() => session.Jobs.State is SessionState.Finished or SessionState.Failed);
        await TestData.Until(() => session.History.Runs.Single().RunId is not null);
        return (session, session.History.Runs.Single().RunId!);
    }

    [Fact]
    public async Task A_stroke_recluster_is_stored_with_its_strokes_and_a_reload_serves_them()
    {
        const int w = 24, h = 16;
        var (session, trainedId) = await TrainedBandsStoredAsync(w, h);

        var strokes = new byte[w * h];
        for (int y = 4; y < 12; y++) { strokes[y * w + 2] = 1; strokes[y * w + 20] = 4; }
        Assert.True(await session.Edits.ReclusterWithScribblesAsync(strokes), session.Changes.Error);

        var strokedId = session.History.Runs.Last().RunId!;
        var details = (await _host.Store.GetAsync(strokedId))!.Summary.Details;
        Assert.Equal(new RunEdit(trainedId, "strokes of 2 brush(es)"), details.Edit);
        Assert.Equal([1, 4], details.Strokes!.Brushes);
        Assert.Equal(16, details.Strokes.StrokedPixels);
        var png = (await _host.Store.GetFileAsync(strokedId, RunFile.Strokes))!.Value;
        Assert.Equal("image/png", png.ContentType);
        Assert.Equal(strokes, Segmenter.Engine.Steering.Scribbles.ReadLabelPng(new MemoryStream(png.Bytes), w, h).BrushOfPixel);
        var report = System.Text.Json.Nodes.JsonNode.Parse((await _host.Store.GetFileAsync(strokedId, RunFile.Report))!.Value.Bytes)!;
        Assert.Equal("strokes.png", (string?)report["strokes"]!["file"]);
        Assert.Null(await _host.Store.GetFileAsync(trainedId, RunFile.Strokes)); // the trained run had none
    }

    [Fact]
    public async Task Two_browsers_do_not_see_each_others_runs_and_only_the_owner_deletes()
    {
        var a = NewSession();
        var b = NewSession();
        await a.History.AttachAsync(RunCodec.NewId());
        await b.History.AttachAsync(RunCodec.NewId());
        await UploadAsync(a, Png(1));
        await UploadAsync(b, Png(2));
        await TrainAsync(a, 3);
        await TrainAsync(b, 5);

        var aAgain = NewSession();
        await aAgain.History.AttachAsync(a.History.Owner);
        Assert.Equal([3], aAgain.History.Runs.Select(r => r.Clusters));
        var bAgain = NewSession();
        await bAgain.History.AttachAsync(b.History.Owner);
        Assert.Equal([5], bAgain.History.Runs.Select(r => r.Clusters));

        Assert.True(await aAgain.History.DeleteAsync(aAgain.History.Runs[0].Number));
        Assert.Empty(aAgain.History.Runs);
        Assert.Null(await _host.Store.GetAsync(a.History.Runs[0].RunId!));
        Assert.NotNull(await _host.Store.GetAsync(b.History.Runs[0].RunId!));
    }

    [Fact]
    public async Task A_session_without_a_history_id_stores_nothing()
    {
        var session = NewSession();
        await session.History.AttachAsync("not-an-id");
        await UploadAsync(session, Png(1));
        await TrainAsync(session, 3);
        Assert.Null(session.History.Runs[0].RunId);
        Assert.Equal(0, (await _host.Store.MeasureAsync()).Runs);
    }

    [Fact]
    public async Task Opening_a_stored_run_continues_from_it_and_reclustering_trains_the_released_model_again()
    {
        var owner = NewSession(); // the real engine on an 8×6 image
        await owner.History.AttachAsync(RunCodec.NewId());
        await UploadAsync(owner, Png(9), "photo.png");
        owner.Settings.Form.Seed = 17;
        owner.Settings.Form.Epochs = 2;
        await TrainAsync(owner, 3);
        var id = owner.History.Runs[0].RunId!;

        var visitor = NewSession();
        await visitor.History.AttachAsync(RunCodec.NewId());
        Assert.True(await visitor.Runs.OpenStoredRunAsync(id));
        Assert.Equal(id, visitor.Runs.ContinuedFrom);
        Assert.Equal("photo.png", visitor.Image.Name);
        Assert.Equal((3, 17, 2), (visitor.Settings.Form.Clusters, visitor.Settings.Form.Seed, visitor.Settings.Form.Epochs));
        Assert.Equal(owner.Current.Result!.Labels, visitor.Current.Result!.Labels);
        Assert.True(visitor.Current.TrainedModelReleased);
        Assert.Empty(visitor.History.Runs); // the visitor's own history

        visitor.Settings.Form.Clusters = 5;
        Assert.True(visitor.Runs.CanRecluster);
        Assert.True(await visitor.Runs.ReclusterAsync());
        await TestData.Until(() => visitor.History.Count == 1 && visitor.Jobs.State == SessionState.Finished);
        Assert.False(visitor.Current.Result!.Reclustered); // trained again: the stored run has no model to re-cluster
        Assert.NotNull(visitor.Current.Result.Model);
        Assert.Equal(5, visitor.Current.Result!.Clusters.Count);
        Assert.False(visitor.Current.TrainedModelReleased);
    }

    [Fact]
    public async Task A_released_session_serves_its_images_from_the_store_and_decodes_its_image_again_when_needed()
    {
        var upload = Png(4);
        var session = NewSession();
        await session.History.AttachAsync(RunCodec.NewId());
        await UploadAsync(session, upload);
        await TrainAsync(session, 3);
        long resident = session.Memory.ResidentBytes;
        Assert.True(resident >= 8 * 6 * 3, $"the stored upload's decoded image should count as releasable ({resident} bytes)");

        Assert.Equal(resident, session.Memory.ReleaseResident());
        Assert.Equal(0, session.Memory.ResidentBytes);
        // The page still shows the original (as uploaded, from the store) and the result, without decoding anything.
        Assert.Equal(upload, session.Files.GetImageFile(ResultImage.Original)!.Value.Bytes);
        Assert.NotNull(session.Current.Result);

        // Only clustering settings changed on the same image: re-clustering is allowed, and asking decodes nothing.
        session.Settings.Form.Clusters = 4;
        Assert.Null(session.Runs.ReclusterBlocker);
        Assert.Null(session.Image.Current);
        Assert.Equal((8, 6), session.Image.Size);
        Assert.Equal(0, session.Memory.ResidentBytes);
        // Re-clustering needs the image: it is decoded again from the store, and counts as the result's image.
        Assert.True(await session.Runs.ReclusterAsync(), session.Changes.Error);
        await TestData.Until(() => session.Jobs.State == SessionState.Finished && session.Current.Result!.Clusters.Count == 4);
        Assert.NotNull(session.Image.Current);
        Assert.True(session.Memory.ResidentBytes > 0);
    }

    [Fact]
    public async Task A_queued_run_holds_the_uploads_bytes_not_its_decoded_pixels_until_it_starts()
    {
        var runner = TestData.Runner(concurrent: 1);
        var slotHeld = new TaskCompletionSource();
        runner.BeforeWork = (job, ct) => job.Id == 1 ? slotHeld.Task.WaitAsync(ct) : Task.CompletedTask;
        var first = NewSession(runner);
        first.Image.Set(TestData.Image(8, 6), "a.png");
        Assert.True(await first.Runs.StartAsync());
        await TestData.Until(() => first.Jobs.State == SessionState.Running);

        var queued = NewSession(runner);
        await queued.History.AttachAsync(RunCodec.NewId());
        var upload = Png(5);
        Assert.True(await UploadAsync(queued, upload));
        var decoded = queued.Image.Current!.Pixels.ToArray();
        queued.Settings.Form.Clusters = 3;
        Assert.True(await queued.Runs.StartAsync(), queued.Changes.Error);

        Assert.Equal(SessionState.Queued, queued.Jobs.State);
        Assert.Null(queued.Image.Current);
        Assert.True(queued.Image.HasImage);
        Assert.Equal(upload.LongLength, queued.Memory.ResidentBytes); // the bytes as uploaded, nothing decoded
        Assert.Equal(upload, queued.Files.GetImageFile(ResultImage.Original)!.Value.Bytes);

        slotHeld.SetResult();
        await TestData.Until(() => queued.Jobs.State is SessionState.Finished or SessionState.Failed && queued.History.Count == 1);
        Assert.Equal(SessionState.Finished, queued.Jobs.State);
        // Decoded when it started: the run is of the upload, and re-clustering it needs no new training.
        Assert.Equal(decoded, queued.Image.Current!.Pixels);
        Assert.Null(queued.Runs.ReclusterBlocker);
    }

    [Fact]
    public async Task A_connected_session_beyond_the_budget_is_spilled_to_the_store_and_read_back_byte_identical()
    {
        // A budget any held state is beyond: whoever is used keeps theirs, every other session gives its up.
        var looking = TestSession.Create(options: new SegmenterOptions { MaxResidentMegabytes = 1e-6 }, store: _host.Store);
        var other = looking.Another();
        _sessions.Add(other);
        _sessions.Add(looking);
        await looking.History.AttachAsync(RunCodec.NewId());
        await other.History.AttachAsync(RunCodec.NewId());
        var upload = Png(6);
        Assert.True(await UploadAsync(looking, upload));
        await TrainAsync(looking, 3);
        var pixels = looking.Image.Current!.Pixels.ToArray();
        var labels = looking.Current.Result!.Labels.ToArray();
        var segmented = looking.Files.GetImageFile(ResultImage.Segmented)!.Value.Bytes;
        var palette = looking.Files.GetPng(ResultImage.Palette)!;
        var boundaries = looking.Files.GetPng(ResultImage.Boundaries)!;
        Assert.True(looking.Memory.ResidentBytes > 0);

        // Another visitor uploads while the first is still connected (no disconnect): the first's state is spilled.
        Assert.True(await UploadAsync(other, Png(7)));
        Assert.Equal(0, looking.Memory.ResidentBytes);
        Assert.Null(looking.Image.Current);
        Assert.True(looking.Current.TrainedModelReleased);

        // Read back on use, byte for byte.
        Assert.Equal(upload, looking.Files.GetImageFile(ResultImage.Original)!.Value.Bytes);
        Assert.Equal(segmented, looking.Files.GetImageFile(ResultImage.Segmented)!.Value.Bytes);
        Assert.Equal(palette, looking.Files.GetPng(ResultImage.Palette));
        Assert.Equal(boundaries, looking.Files.GetPng(ResultImage.Boundaries));
        Assert.Equal(labels, looking.Current.Result!.Labels);
        Assert.Equal(pixels, looking.Image.Reload()!.Pixels);
        // The visitor who used the app last keeps theirs; the other one, not used since, gave its decoded upload up.
        Assert.Null(other.Image.Current);
        Assert.True(other.Image.HasImage);
    }

    private static SessionCircuitHandler DropHandler(TestSession session, TimeProvider time) =>
        new(session.Memory, Options.Create(new SegmenterOptions { DisconnectGraceSeconds = 5 }), time, NullLogger<SessionCircuitHandler>.Instance);

    // The handler ignores the circuit (Circuit has no public constructor).
    private static readonly Microsoft.AspNetCore.Components.Server.Circuits.Circuit NoCircuit = null!;

    [Fact]
    public async Task A_dropped_connection_releases_the_sessions_memory_after_the_grace_not_at_the_circuits_retention()
    {
        var time = new CircuitHandlerTests.ManualTime();
        var session = NewSession();
        await session.History.AttachAsync(RunCodec.NewId());
        Assert.True(await UploadAsync(session, Png(5)));
        await TrainAsync(session, 3);
        long resident = session.Memory.ResidentBytes;
        Assert.True(resident > 0);
        using var handler = DropHandler(session, time);

        // A short drop keeps everything.
        await handler.OnConnectionDownAsync(NoCircuit, default);
        time.Advance(TimeSpan.FromSeconds(4.9));
        await handler.OnConnectionUpAsync(NoCircuit, default);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(resident, session.Memory.ResidentBytes);

        // A drop that lasts: released when the grace runs out.
        await handler.OnConnectionDownAsync(NoCircuit, default);
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(resident, session.Memory.ResidentBytes);
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(0, session.Memory.ResidentBytes);

        // A visitor who comes back after all finds the page as it was; the image is decoded again from the store.
        await handler.OnConnectionUpAsync(NoCircuit, default);
        Assert.NotNull(session.Current.Result);
        Assert.True(session.Image.HasImage);
        Assert.NotNull(session.Image.Reload());
        Assert.True(session.Memory.ResidentBytes > 0);
    }

    [Fact]
    public async Task A_connection_dropped_during_a_run_releases_the_memory_once_the_cancelled_run_has_ended()
    {
        var time = new CircuitHandlerTests.ManualTime();
        // The first run finishes (and is stored); the second holds its slot until cancelled.
        var runner = TestData.Runner();
        runner.BeforeWork = (job, ct) => job.Id > 1 ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask;
        var session = NewSession(runner);
        await session.History.AttachAsync(RunCodec.NewId());
        Assert.True(await UploadAsync(session, Png(6)));
        await TrainAsync(session, 3);
        using var handler = DropHandler(session, time);
        session.Settings.Form.Clusters = 4;
        Assert.True(await session.Runs.StartAsync());
        await TestData.Until(() => session.Jobs.State == SessionState.Running);
        Assert.True(session.Memory.ResidentBytes > 0);

        await handler.OnConnectionDownAsync(NoCircuit, default);
        time.Advance(TimeSpan.FromSeconds(5));
        await TestData.Until(() => session.Jobs.State == SessionState.Cancelled && session.Memory.ResidentBytes == 0);
        Assert.NotNull(session.Current.Result);   // the first run's labels and tables stay
    }

    [Fact]
    public async Task Opening_a_run_that_is_not_stored_says_so()
    {
        var session = NewSession();
        Assert.False(await session.Runs.OpenStoredRunAsync(RunCodec.NewId()));
        Assert.Contains("no stored run", session.Changes.Error);
    }
}
