using Npgsql;
using Segmenter.Web.Store;

namespace Segmenter.Web.Tests.Store;

/// <summary>
/// The run store's contract, run against each database it supports: every test starts a real host on a fresh
/// store, and restarts it (a new host on the same database) where persistence is the point.
/// </summary>
public abstract class RunStoreContract : IAsyncLifetime
{
    /// <summary>Configuration of a fresh, empty store; the same settings reach the same store again.</summary>
    protected abstract Dictionary<string, string?> Settings { get; }

    protected Dictionary<string, string?> With(params (string Key, string? Value)[] extra)
    {
        var s = new Dictionary<string, string?>(Settings);
        foreach (var (k, v) in extra) s[k] = v;
        return s;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;
    public virtual Task DisposeAsync() => Task.CompletedTask;

    [SkippableFact]
    public async Task A_run_written_reads_back_identical_from_a_new_host_on_the_same_store()
    {
        var run = StoreHost.Run("browser-a", seed: 11);
        await using (var first = await StoreHost.StartAsync(Settings))
            await first.Store.SaveAsync(run);

        await using var second = await StoreHost.StartAsync(Settings);
        var view = await second.Store.GetAsync(run.Id);
        Assert.NotNull(view);
        var s = view.Summary;
        Assert.Equal(run.ImageName, s.ImageName);
        Assert.Equal((run.Width, run.Height), (s.Width, s.Height));
        Assert.Equal(run.Details.Parameters, s.Details.Parameters);
        Assert.Equal(run.Details.EpochLosses, s.Details.EpochLosses);
        Assert.Equal(run.Details.ClusterTable, s.Details.ClusterTable);
        Assert.Equal(run.Details.Timings, s.Details.Timings);
        Assert.Equal((run.Details.Inertia, run.Details.Silhouette, run.Details.DaviesBouldin), (s.Details.Inertia, s.Details.Silhouette, s.Details.DaviesBouldin));
        Assert.Equal(run.ThumbnailPng, s.ThumbnailPng);
        Assert.Equal(run.Plot.Rgb, view.Plot.Rgb);
        Assert.Equal(run.Plot.Codes3, view.Plot.Codes3);
        Assert.Equal(run.Labels, await second.Store.GetLabelsAsync(run.Id));
        Assert.Equal(run.OriginalBytes, (await second.Store.GetFileAsync(run.Id, RunFile.Original))!.Value.Bytes);
        Assert.Equal(run.SegmentedPng, (await second.Store.GetFileAsync(run.Id, RunFile.Segmented))!.Value.Bytes);
        Assert.Equal(run.ReportJson, System.Text.Encoding.UTF8.GetString((await second.Store.GetFileAsync(run.Id, RunFile.Report))!.Value.Bytes));
        Assert.Equal("browser-a", view.OwnerId);
    }

    [SkippableFact]
    public async Task A_stored_regions_run_reopens_at_the_count_it_was_cut()
    {
        var image = Segmenter.Bench.SyntheticImages.Regions(48, 32, regions: 6, noise: 8, seed: 4);
        var p = Engine.Pipeline.SegmentationParameters.ForPreset(Engine.Pipeline.Preset.Fast) with
            { Clusters = 5, Epochs = 2, Seed = 9, Segments = Engine.Pipeline.Segments.Regions };
        var result = Engine.Pipeline.SegmentationPipeline.Run(image, p);
        using var trained = result.Model!;
        var recut = trained.Cluster(p with { Clusters = 3 });
        var run = RunSnapshot.Of(RunCodec.NewId(), "browser-a", "blocks.png", Engine.Imaging.ImageLoader.EncodePng(image), recut, trained.Quality(recut));
        await using (var first = await StoreHost.StartAsync(Settings))
            await first.Store.SaveAsync(run);

        await using var second = await StoreHost.StartAsync(Settings);
        var view = await second.Store.GetAsync(run.Id);
        Assert.NotNull(view);
        Assert.Equal(Engine.Pipeline.Segments.Regions, view.Summary.Details.Parameters.Segments);
        Assert.Equal(3, view.Summary.Details.Parameters.Clusters);
        Assert.Equal(recut.Labels, await second.Store.GetLabelsAsync(run.Id));
        var report = System.Text.Json.Nodes.JsonNode.Parse((await second.Store.GetFileAsync(run.Id, RunFile.Report))!.Value.Bytes)!;
        Assert.Equal(3, (int)report["regions"]!["cut"]!);
        // The kept model cuts the same count again.
        using var saved = Engine.Pipeline.SavedModel.Load(new MemoryStream((await second.Store.GetModelAsync(run.Id))!));
        Assert.Equal(3, saved.Parameters.Clusters);
        Assert.Equal(recut.Labels, saved.Apply(image).Labels);
    }

    [SkippableFact]
    public async Task A_run_stored_without_steering_scores_reads_as_none_and_takes_scores_later()
    {
        var run = StoreHost.Run("browser-a", seed: 12);
        await using var host = await StoreHost.StartAsync(Settings);
        await host.Store.SaveAsync(run);
        Assert.Null((await host.Store.GetAsync(run.Id))!.Summary.Details.Scores);
        // Details written before the scores existed have no "Scores" member at all.
        var older = System.Text.Json.Nodes.JsonNode.Parse(RunCodec.ToJson(run.Details))!.AsObject();
        Assert.True(older.Remove("Scores"));
        Assert.Null(RunCodec.FromJson<RunDetails>(older.ToJsonString()).Scores);

        var scores = new Services.RunScores(Stability: 0.75, TruthAri: 0.5, TruthMeanIoU: 0.25, RgbBaselineAri: 0.125, LabBaselineAri: -0.0625);
        Assert.True(await host.Store.UpdateScoresAsync(run.Id, scores));
        Assert.Equal(scores, (await host.Store.GetAsync(run.Id))!.Summary.Details.Scores);
        Assert.False(await host.Store.UpdateScoresAsync("AAAAAAAAAAAAAAAAAAAAAA", scores));
    }

    [SkippableFact]
    public async Task An_edited_run_reads_back_from_a_new_host_with_its_parent_and_edit_and_older_details_read_as_unedited()
    {
        var parent = StoreHost.Run("browser-a", seed: 13);
        var edited = StoreHost.Run("browser-a", seed: 14);
        var edit = new RunEdit(parent.Id, "merge cluster 2 into 1");
        edited = edited with { Details = edited.Details with { Edit = edit } };
        await using (var first = await StoreHost.StartAsync(Settings))
        {
            await first.Store.SaveAsync(parent);
            await first.Store.SaveAsync(edited);
        }

        await using var second = await StoreHost.StartAsync(Settings);
        Assert.Equal(edit, (await second.Store.GetAsync(edited.Id))!.Summary.Details.Edit);
        Assert.Null((await second.Store.GetAsync(parent.Id))!.Summary.Details.Edit);
        // Both are in the browser's history, the edit beside its parent.
        var listed = await second.Store.ListAsync("browser-a");
        Assert.Contains(listed, r => r.Id == edited.Id && r.Details.Edit == edit);
        Assert.Contains(listed, r => r.Id == parent.Id && r.Details.Edit is null);
        // Details written before edits existed have no "Edit" member at all.
        var older = System.Text.Json.Nodes.JsonNode.Parse(RunCodec.ToJson(parent.Details))!.AsObject();
        Assert.True(older.Remove("Edit"));
        Assert.Null(RunCodec.FromJson<RunDetails>(older.ToJsonString()).Edit);
    }

    [SkippableFact]
    public async Task The_same_upload_is_stored_once_and_stays_while_a_run_uses_it()
    {
        await using var host = await StoreHost.StartAsync(Settings);
        var original = StoreHost.Bytes(99, 5000);
        var a = StoreHost.Run("b", 1, original);
        var b = StoreHost.Run("b", 2, original);
        await host.Store.SaveAsync(a);
        await host.Store.SaveAsync(b);
        Assert.Equal((2, 1), ((await host.Store.MeasureAsync()).Runs, (await host.Store.MeasureAsync()).Images));

        Assert.True(await host.Store.DeleteAsync(a.Id));
        Assert.Equal(original, (await host.Store.GetFileAsync(b.Id, RunFile.Original))!.Value.Bytes);
        Assert.True(await host.Store.DeleteAsync(b.Id));
        Assert.Equal((0, 0), ((await host.Store.MeasureAsync()).Runs, (await host.Store.MeasureAsync()).Images));
    }

    [SkippableFact]
    public async Task Retention_by_count_evicts_the_oldest_runs()
    {
        await using var host = await StoreHost.StartAsync(With(("Segmenter:MaxStoredRuns", "3")));
        var runs = Enumerable.Range(1, 5).Select(i => StoreHost.Run("b", i)).ToArray();
        foreach (var r in runs) await host.Store.SaveAsync(r);

        var listed = await host.Store.ListAsync("b");
        Assert.Equal(runs[2..].Reverse().Select(r => r.Id), listed.Select(r => r.Id));
        Assert.Null(await host.Store.GetAsync(runs[0].Id));
        Assert.Equal(3, (await host.Store.MeasureAsync()).Images);
    }

    [SkippableFact]
    public async Task Retention_by_size_evicts_the_oldest_runs_until_the_store_fits()
    {
        // Each run: a 400 KB original of its own plus ~12 KB of payloads; 1 MB holds two of them, not three.
        await using var host = await StoreHost.StartAsync(With(("Segmenter:MaxStoreMegabytes", "1")));
        var runs = Enumerable.Range(1, 4).Select(i => StoreHost.Run("b", i, StoreHost.Bytes(100 + i, 400_000))).ToArray();
        foreach (var r in runs) await host.Store.SaveAsync(r);

        Assert.Equal([runs[3].Id, runs[2].Id], (await host.Store.ListAsync("b")).Select(r => r.Id));
        Assert.True((await host.Store.MeasureAsync()).Bytes <= 1024 * 1024);
    }

    [SkippableFact]
    public async Task A_deleted_run_is_gone_and_only_its_owner_may_delete_it()
    {
        await using var host = await StoreHost.StartAsync(Settings);
        var run = StoreHost.Run("owner", 5);
        await host.Store.SaveAsync(run);

        Assert.False(await host.Store.DeleteAsync(run.Id, ownerId: "someone-else"));
        Assert.NotNull(await host.Store.GetAsync(run.Id));
        Assert.True(await host.Store.DeleteAsync(run.Id, ownerId: "owner"));
        Assert.Null(await host.Store.GetAsync(run.Id));
        Assert.Null(await host.Store.GetFileAsync(run.Id, RunFile.Original));
        Assert.Empty(await host.Store.ListAsync("owner"));
        Assert.False(await host.Store.DeleteAsync(run.Id));
    }

    [SkippableFact]
    public async Task Histories_of_two_browsers_do_not_see_each_other()
    {
        await using var host = await StoreHost.StartAsync(Settings);
        var a = StoreHost.Run("browser-a", 1);
        var b = StoreHost.Run("browser-b", 2);
        await host.Store.SaveAsync(a);
        await host.Store.SaveAsync(b);

        Assert.Equal([a.Id], (await host.Store.ListAsync("browser-a")).Select(r => r.Id));
        Assert.Equal([b.Id], (await host.Store.ListAsync("browser-b")).Select(r => r.Id));
        Assert.Empty(await host.Store.ListAsync("browser-c"));
    }

    [SkippableFact]
    public async Task Ids_that_are_not_run_ids_find_nothing()
    {
        await using var host = await StoreHost.StartAsync(Settings);
        Assert.Null(await host.Store.GetAsync("../../etc/passwd"));
        Assert.Null(await host.Store.GetAsync(RunCodec.NewId()));
        Assert.Null(await host.Store.GetFileAsync("x", RunFile.Labels));
    }
}

/// <summary>The contract on the embedded default: a SQLite file in a fresh data folder.</summary>
public sealed class SqliteRunStoreTests : RunStoreContract
{
    private readonly TemporaryDataFolder _folder = new("segmenter-store-");

    protected override Dictionary<string, string?> Settings => _folder.Settings;

    public override Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_store_is_a_WAL_mode_file_in_the_data_folder()
    {
        await using (var host = await StoreHost.StartAsync(Settings))
            await host.Store.SaveAsync(StoreHost.Run("b", 1));
        var file = Path.Combine(_folder.Path, RunStoreSetup.SqliteFileName);
        Assert.True(File.Exists(file));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }
}

/// <summary>
/// The contract on a real PostgreSQL server: <c>SEGMENTER_TEST_POSTGRES</c> holds a connection string to a server
/// where the user may create databases (.ci/run starts a private one). Each test gets a database of its own.
/// Without it the tests skip locally; under CI=true they fail.
/// </summary>
public sealed class PostgresRunStoreTests : RunStoreContract
{
    public const string ServerVariable = "SEGMENTER_TEST_POSTGRES";
    private readonly string _connectionString;

    public PostgresRunStoreTests()
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"CI=true but {ServerVariable} is not set: .ci/run should have started PostgreSQL.");
            _connectionString = "";
            return;
        }
        _connectionString = new NpgsqlConnectionStringBuilder(server) { Database = "segmenter_test_" + Guid.NewGuid().ToString("N") }.ConnectionString;
    }

    protected override Dictionary<string, string?> Settings
    {
        get
        {
            Skip.If(_connectionString.Length == 0, $"PostgreSQL store tests skipped: set {ServerVariable} to a server's connection string (.ci/run does).");
            return new() { ["ConnectionStrings:Segmenter"] = _connectionString };
        }
    }

    public override async Task DisposeAsync()
    {
        if (_connectionString.Length == 0) return;
        await DropDatabaseAsync(_connectionString);
    }

    /// <summary>Drops the database a test made (its connections closed first), from the server's maintenance database.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
