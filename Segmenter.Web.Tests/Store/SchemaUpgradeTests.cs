using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Segmenter.Web.Store;

namespace Segmenter.Web.Tests.Store;

/// <summary>
/// Several instances started at the same moment on one database, empty or made by a Segmenter before migrations:
/// every start succeeds, the schema is made (or adopted) once, and the store works from every instance. The hosts
/// are real (the app's store registration and start-up), the databases real (a SQLite file, a PostgreSQL server).
/// </summary>
public abstract class SchemaUpgradeContract : IAsyncLifetime
{
    /// <summary>More than the four instances that used to race each other into "relation already exists".</summary>
    protected const int Instances = 6;

    /// <summary>Settings that reach this test's database.</summary>
    protected abstract Dictionary<string, string?> Settings { get; }

    /// <summary>A context on this test's database with the store's model and no start-up work.</summary>
    protected abstract RunStoreContext Context();

    /// <summary>Creates this test's database with the schema a Segmenter before migrations made, and its version row.</summary>
    protected abstract Task CreateEnsureCreatedStoreAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;
    public virtual Task DisposeAsync() => Task.CompletedTask;

    [SkippableFact]
    public async Task Instances_started_at_once_on_an_empty_database_all_start_and_make_the_schema_once()
    {
        var settings = Settings;
        await using var hosts = await StartAtOnceAsync(settings);
        await AssertSchemaIsCurrentOnceAsync();
        await AssertEveryInstanceSeesTheOthersRunsAsync(hosts);
    }

    [SkippableFact]
    public async Task Instances_started_at_once_on_a_store_made_before_migrations_all_start_and_keep_its_runs()
    {
        var settings = Settings;
        await CreateEnsureCreatedStoreAsync();
        var old = await AddRunWithoutTheStoreAsync();

        await using var hosts = await StartAtOnceAsync(settings);

        await AssertSchemaIsCurrentOnceAsync();
        foreach (var host in hosts.All)
            Assert.Equal(old.Model, await host.Store.GetModelAsync(old.Id));
        var (runs, images, _) = await hosts.All[^1].Store.MeasureAsync();
        Assert.Equal((1, 1), (runs, images));
        await AssertEveryInstanceSeesTheOthersRunsAsync(hosts);
    }

    [SkippableFact]
    public async Task A_store_upgraded_by_a_newer_Segmenter_is_refused_with_what_to_do()
    {
        var settings = Settings;
        await using (await StoreHost.StartAsync(settings)) { }
        await using (var db = Context())
        {
            var history = db.GetService<IHistoryRepository>();
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow("99991231000000_FromANewerBuild", "10.0.15")));
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(() => StoreHost.StartAsync(settings));
        Assert.Contains("99991231000000_FromANewerBuild", error.Message);
        Assert.Contains("a newer Segmenter upgraded it", error.Message);
    }

    [Fact]
    public async Task The_first_migration_makes_exactly_the_schema_that_builds_before_migrations_made()
    {
        await using var db = Context(); // makes the script only: no server needed
        var initial = db.Database.GetMigrations().First();
        var script = db.GetService<IMigrator>().GenerateScript(fromMigration: Migration.InitialDatabase, toMigration: initial);
        Assert.Equal(Statements(EnsureCreatedScript, "CREATE "), Statements(script, "CREATE ", except: HistoryRepository.DefaultTableName));
    }

    [Fact]
    public async Task The_model_has_no_change_that_its_migrations_lack()
    {
        await using var db = Context();
        Assert.False(db.Database.HasPendingModelChanges(), "The store's model changed: add a migration to both sets (docs/operations.md, Schema and upgrades).");
    }

    /// <summary>The pre-migration DDL of this provider (<see cref="EnsureCreatedSchema"/>).</summary>
    protected abstract string EnsureCreatedScript { get; }

    /// <summary>The script's statements that start with <paramref name="prefix"/>, whitespace-normalised, in order of text.</summary>
    private static string[] Statements(string script, string prefix, string? except = null)
        => script.Split(';').Select(s => Regex.Replace(s.Trim().TrimStart('\uFEFF'), @"\s+", " "))
            .Where(s => s.StartsWith(prefix, StringComparison.Ordinal) && (except is null || !s.Contains(except, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Starts <see cref="Instances"/> hosts on the same settings from as many threads released together by a barrier,
    /// so their start-ups overlap as much as the machine allows. Every start must succeed; the failures are all named.
    /// </summary>
    private static async Task<Hosts> StartAtOnceAsync(Dictionary<string, string?> settings)
    {
        using var barrier = new Barrier(Instances);
        var starts = Enumerable.Range(0, Instances).Select(_ => Task.Factory.StartNew(() =>
        {
            barrier.SignalAndWait();
            return StoreHost.StartAsync(settings);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToArray();
        try { await Task.WhenAll(starts); }
        catch (Exception)
        {
            // Every start is awaited above; report each failure, after stopping the hosts that did start.
            var started = new Hosts(starts.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result).ToArray());
            await started.DisposeAsync();
            Assert.Fail($"{starts.Count(s => s.IsFaulted)} of {Instances} instances failed to start:\n" +
                        string.Join("\n", starts.Where(s => s.IsFaulted).Select(s => s.Exception!.InnerException!.Message)));
        }
        return new Hosts(starts.Select(s => s.Result).ToArray());
    }

    /// <summary>Every migration of this build applied once, the version row once, and no migration lock left behind.</summary>
    private async Task AssertSchemaIsCurrentOnceAsync()
    {
        await using var db = Context();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        var rows = await db.Schema.AsNoTracking().ToListAsync();
        Assert.Equal([(1, RunStoreContext.SchemaVersion)], rows.Select(r => (r.Id, r.Version)));
        if (db.Database.IsSqlite() && (long)(await ScalarAsync(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = '__EFMigrationsLock'"))! > 0)
            Assert.Equal(0L, await ScalarAsync(db, "SELECT COUNT(*) FROM \"__EFMigrationsLock\""));
    }

    private static async Task AssertEveryInstanceSeesTheOthersRunsAsync(Hosts hosts)
    {
        var ids = new List<string>();
        for (int i = 0; i < hosts.All.Length; i++)
        {
            var run = StoreHost.Run("schema-test", seed: 100 + i);
            await hosts.All[i].Store.SaveAsync(run);
            ids.Add(run.Id);
        }
        foreach (var host in hosts.All)
            Assert.Equal(ids.ToHashSet(), (await host.Store.ListAsync("schema-test")).Select(r => r.Id).ToHashSet());
    }

    /// <summary>A run and its image written as a build before migrations wrote them: rows of the same model, no store start-up.</summary>
    private async Task<(string Id, byte[] Model)> AddRunWithoutTheStoreAsync()
    {
        var model = StoreHost.Bytes(7, 4096);
        const string id = "AAAAAAAAAAAAAAAAAAAAAA";
        await using var db = Context();
        db.Images.Add(new StoredImage { Sha256 = new string('a', 64), Bytes = StoreHost.Bytes(8, 1000), ContentType = "image/png", CreatedUtc = DateTime.UtcNow });
        db.Runs.Add(new StoredRun
        {
            Id = id, OwnerId = "before-migrations", CreatedUtc = DateTime.UtcNow, ImageName = "old.png", ImageSha256 = new string('a', 64),
            Width = 2, Height = 2, Clusters = 2, Seed = 1, SizeBytes = 10, DetailsJson = "{}", PlotJson = "{}", ReportJson = "{}",
            LabelsDeflated = [1], SegmentedPng = [2], ThumbnailPng = [3], Model = model,
        });
        await db.SaveChangesAsync();
        return (id, model);
    }

    protected static async Task<object?> ScalarAsync(RunStoreContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync();
        }
        finally { await db.Database.CloseConnectionAsync(); }
    }

    protected static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private protected sealed class Hosts(StoreHost[] all) : IAsyncDisposable
    {
        public StoreHost[] All { get; } = all;

        public async ValueTask DisposeAsync()
        {
            foreach (var host in All) await host.DisposeAsync();
        }
    }
}

/// <summary>The contract on the embedded default: one SQLite file in a fresh data folder, shared by every instance.</summary>
public sealed class SqliteSchemaUpgradeTests : SchemaUpgradeContract
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "segmenter-schema-" + Guid.NewGuid().ToString("N"));
    private string File => Path.Combine(_folder, RunStoreSetup.SqliteFileName);

    protected override Dictionary<string, string?> Settings => new() { ["Segmenter:DataFolder"] = _folder };

    protected override RunStoreContext Context()
        => new SqliteRunStoreContext(new DbContextOptionsBuilder<SqliteRunStoreContext>().UseSqlite($"Data Source={File}").Options);

    protected override string EnsureCreatedScript => EnsureCreatedSchema.Sqlite;

    protected override async Task CreateEnsureCreatedStoreAsync()
    {
        Directory.CreateDirectory(_folder);
        await using var connection = new SqliteConnection($"Data Source={File}");
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;" + EnsureCreatedSchema.Sqlite + EnsureCreatedSchema.VersionRow);
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_migration_lock_left_by_a_killed_instance_does_not_stop_the_next_start()
    {
        // What EF Core's SQLite lock leaves when its process is killed while it migrates: the lock row, no schema yet.
        Directory.CreateDirectory(_folder);
        await using (var connection = new SqliteConnection($"Data Source={File}"))
            await ExecuteAsync(connection, """
                CREATE TABLE "__EFMigrationsLock" ("Id" INTEGER NOT NULL CONSTRAINT "PK___EFMigrationsLock" PRIMARY KEY, "Timestamp" TEXT NOT NULL);
                INSERT INTO "__EFMigrationsLock" ("Id", "Timestamp") VALUES (1, '2026-01-01 00:00:00+00:00');
                """);

        // A start that waited on the stale row would never end: bound it, generously, so such a defect fails instead of hanging.
        await using var host = await StoreHost.StartAsync(Settings).WaitAsync(TimeSpan.FromMinutes(5));
        await host.Store.SaveAsync(StoreHost.Run("b", 1));
        await using var db = Context();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(0L, await ScalarAsync(db, "SELECT COUNT(*) FROM \"__EFMigrationsLock\""));
    }

    [Fact]
    public async Task A_store_of_schema_version_1_is_refused_with_what_to_do()
    {
        Directory.CreateDirectory(_folder);
        await using (var connection = new SqliteConnection($"Data Source={File}"))
            await ExecuteAsync(connection, EnsureCreatedSchema.Sqlite + """INSERT INTO store_schema ("Id", "Version") VALUES (1, 1);""");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => StoreHost.StartAsync(Settings));
        Assert.Contains("The run store holds schema version 1", error.Message);
    }
}

/// <summary>
/// The contract on a real PostgreSQL server (<c>SEGMENTER_TEST_POSTGRES</c>, as <see cref="PostgresRunStoreTests"/>):
/// each test gets a database of its own that does not exist yet, so the instances also race to create it.
/// </summary>
public sealed class PostgresSchemaUpgradeTests : SchemaUpgradeContract
{
    private readonly string _connectionString;

    public PostgresSchemaUpgradeTests()
    {
        var server = Environment.GetEnvironmentVariable(PostgresRunStoreTests.ServerVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"CI=true but {PostgresRunStoreTests.ServerVariable} is not set: .ci/run should have started PostgreSQL.");
            _connectionString = "";
            return;
        }
        _connectionString = new NpgsqlConnectionStringBuilder(server) { Database = "segmenter_schema_" + Guid.NewGuid().ToString("N") }.ConnectionString;
    }

    protected override Dictionary<string, string?> Settings
    {
        get
        {
            Skip.If(_connectionString.Length == 0, $"PostgreSQL schema tests skipped: set {PostgresRunStoreTests.ServerVariable} to a server's connection string (.ci/run does).");
            return new() { ["ConnectionStrings:Segmenter"] = _connectionString };
        }
    }

    protected override RunStoreContext Context()
        => new PostgresRunStoreContext(new DbContextOptionsBuilder<PostgresRunStoreContext>().UseNpgsql(_connectionString.Length > 0 ? _connectionString : "Host=localhost").Options);

    protected override string EnsureCreatedScript => EnsureCreatedSchema.Postgres;

    protected override async Task CreateEnsureCreatedStoreAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(_connectionString).Database;
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Database = "postgres" }.ConnectionString))
            await ExecuteAsync(admin, $"CREATE DATABASE \"{database}\"");
        await using var connection = new NpgsqlConnection(_connectionString);
        await ExecuteAsync(connection, EnsureCreatedSchema.Postgres + EnsureCreatedSchema.VersionRow);
    }

    public override async Task DisposeAsync()
    {
        if (_connectionString.Length == 0) return;
        NpgsqlConnection.ClearAllPools();
        var database = new NpgsqlConnectionStringBuilder(_connectionString).Database;
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Database = "postgres" }.ConnectionString);
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
    }
}
