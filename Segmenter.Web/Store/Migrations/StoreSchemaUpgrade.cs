using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Segmenter.Web.Store.Migrations;

/// <summary>
/// Brings a store's schema to this build's migrations once, however many instances start on it at the same moment.
/// <para>
/// The whole step runs under one lock per database: on PostgreSQL a session advisory lock
/// (<c>pg_advisory_lock</c>), on SQLite an exclusive lock on a file beside the database (<c>flock</c>, which .NET takes
/// for <see cref="FileShare.None"/>). Both end with the process that holds them, so an instance killed mid-upgrade
/// never blocks the next start. EF Core's own migration lock (Migrate takes it too) covers applying migrations only:
/// on PostgreSQL it locks the history table inside the migration's transaction, which is sound; on SQLite it is a row
/// in <c>__EFMigrationsLock</c> that stays behind when its holder is killed, after which every later Migrate waits
/// forever. It also cannot cover what happens before Migrate: creating the PostgreSQL database, and adopting a store
/// that a Segmenter without migrations made with EnsureCreated (tables, no history), which must be marked as having
/// the initial migration, or Migrate fails on "relation already exists".
/// </para>
/// </summary>
internal static class StoreSchemaUpgrade
{
    /// <summary>The advisory lock's key on PostgreSQL: "Segmentr" in ASCII, one key for every instance of the app.</summary>
    private const long PostgresLockKey = 0x5365676D656E7472;

    /// <summary>A table every store has, made by the first migration and by the EnsureCreated of builds before migrations.</summary>
    private const string SchemaTable = "store_schema";

    /// <summary>The schema version whose EnsureCreated schema is exactly the initial migration's.</summary>
    private const int EnsureCreatedVersion = 2;

    public static async Task UpgradeAsync(RunStoreContext db, ILogger logger, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
            await EnsurePostgresDatabaseAsync(db, logger, ct);
        await using var held = await AcquireLockAsync(db, logger, ct);

        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct); // readers never wait for a writer

        var known = db.Database.GetMigrations().ToList();
        // Asked only when the history table exists: EF logs the failed query of a missing one as an error.
        var applied = await HasTableAsync(db, HistoryRepository.DefaultTableName, ct)
            ? (await db.Database.GetAppliedMigrationsAsync(ct)).ToList()
            : [];
        if (applied.Except(known).ToList() is { Count: > 0 } unknown)
            throw new InvalidOperationException(
                $"The run store has migrations this version of Segmenter does not know ({string.Join(", ", unknown)}): a newer Segmenter upgraded it. " +
                "Run that version, or point Segmenter:DataFolder (or ConnectionStrings:Segmenter) at another store.");

        if (applied.Count == 0 && await HasTableAsync(db, SchemaTable, ct))
        {
            await AdoptEnsureCreatedStoreAsync(db, known[0], ct);
            logger.LogInformation("Run store made before migrations: marked as {Migration} (its schema), upgrading from there", known[0]);
            applied.Add(known[0]);
        }

        var pending = known.Except(applied).ToList();
        if (pending.Count > 0)
        {
            if (db.Database.IsSqlite())
                await ClearStaleSqliteMigrationLockAsync(db, logger, ct);
            logger.LogInformation("Applying run store migrations: {Migrations}", string.Join(", ", pending));
            // Made first: Npgsql's Migrate reads the history before creating it, and EF logs that failed read as an error.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(ct);
            await db.Database.MigrateAsync(ct);
        }
        // The job engine's tables live in the same database; its own installer has no lock, so it runs under this one.
        if (db.Database.IsNpgsql())
            await Jobs.JobEngine.InstallStorageAsync(db.Database.GetConnectionString()!, logger, ct);
    }

    /// <summary>
    /// Creates the PostgreSQL database when it is missing: one instance creates it, under the same advisory lock taken
    /// in the server's maintenance database (where the creation runs), and the others find it made. (Migrate's own
    /// check-then-create fails for all but one of them.)
    /// </summary>
    private static async Task EnsurePostgresDatabaseAsync(RunStoreContext db, ILogger logger, CancellationToken ct)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync(ct)) return;
        var maintenance = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Database = "postgres" }.ConnectionString;
        await using var held = await PostgresAdvisoryLock.AcquireAsync(maintenance, logger, ct);
        if (await creator.ExistsAsync(ct)) return;
        try { await creator.CreateAsync(ct); }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase) { } // made by a process outside this lock
    }

    /// <summary>
    /// Marks a store made by EnsureCreated (schema version 2) as having the initial migration, whose schema it has;
    /// a store of another version has no migration path and is refused with what to do.
    /// </summary>
    private static async Task AdoptEnsureCreatedStoreAsync(RunStoreContext db, string initialMigration, CancellationToken ct)
    {
        var version = await ScalarAsync(db, $"SELECT \"Version\" FROM {SchemaTable} WHERE \"Id\" = 1", ct);
        if (version is not null && Convert.ToInt32(version) != EnsureCreatedVersion)
            throw new InvalidOperationException(
                $"The run store holds schema version {version}; this version of Segmenter upgrades stores of version {EnsureCreatedVersion} and later. " +
                "Point Segmenter:DataFolder (or ConnectionStrings:Segmenter) at a new store, or remove the old one.");

        var history = db.GetService<IHistoryRepository>();
        await history.CreateIfNotExistsAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (version is null) // a start killed between EnsureCreated and writing the version row
            await ExecuteAsync(db, $"INSERT INTO {SchemaTable} (\"Id\", \"Version\") VALUES (1, {EnsureCreatedVersion})", ct);
        await ExecuteAsync(db, history.GetInsertScript(new HistoryRow(initialMigration, ProductInfo.GetVersion())), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Removes EF Core's SQLite migration lock row. Called holding the file lock, which every instance takes before
    /// migrating, so a row found here was left by a process killed while it migrated.
    /// </summary>
    private static async Task ClearStaleSqliteMigrationLockAsync(RunStoreContext db, ILogger logger, CancellationToken ct)
    {
        const string efLockTable = "__EFMigrationsLock";
        if (!await HasTableAsync(db, efLockTable, ct)) return;
        int removed = await ExecuteAsync(db, $"DELETE FROM \"{efLockTable}\"", ct);
        if (removed > 0)
            logger.LogWarning("Removed EF Core's migration lock left by a process that was killed while it upgraded the run store");
    }

    private static async Task<bool> HasTableAsync(RunStoreContext db, string table, CancellationToken ct)
    {
        var sql = db.Database.IsNpgsql()
            ? $"SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = '{table}'"
            : $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'";
        return Convert.ToInt64(await ScalarAsync(db, sql, ct)) > 0;
    }

    private static async Task<object?> ScalarAsync(RunStoreContext db, string sql, CancellationToken ct)
    {
        await using var command = await CommandAsync(db, sql, ct);
        try { return await command.ExecuteScalarAsync(ct) is var value and not DBNull ? value : null; }
        finally { await db.Database.CloseConnectionAsync(); }
    }

    private static async Task<int> ExecuteAsync(RunStoreContext db, string sql, CancellationToken ct)
    {
        await using var command = await CommandAsync(db, sql, ct);
        try { return await command.ExecuteNonQueryAsync(ct); }
        finally { await db.Database.CloseConnectionAsync(); }
    }

    /// <summary>A command on the context's connection (opened; the caller closes it), in its transaction if one is open.</summary>
    private static async Task<DbCommand> CommandAsync(RunStoreContext db, string sql, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    private static Task<IAsyncDisposable> AcquireLockAsync(RunStoreContext db, ILogger logger, CancellationToken ct)
        => db.Database.IsNpgsql()
            ? PostgresAdvisoryLock.AcquireAsync(db.Database.GetConnectionString()!, logger, ct)
            : SqliteFileLock.AcquireAsync(db.Database.GetConnectionString()!, logger, ct);

    /// <summary>A session advisory lock on a connection of its own: released when disposed, or by the server when the session ends.</summary>
    private sealed class PostgresAdvisoryLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public static async Task<IAsyncDisposable> AcquireAsync(string connectionString, ILogger logger, CancellationToken ct)
        {
            var connection = new NpgsqlConnection(connectionString);
            try
            {
                await connection.OpenAsync(ct);
                if (!await LockAsync(connection, "pg_try_advisory_lock", ct))
                {
                    logger.LogInformation("Waiting for another instance to finish upgrading the run store's schema");
                    await LockAsync(connection, "pg_advisory_lock", ct);
                }
                return new PostgresAdvisoryLock(connection);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        private static async Task<bool> LockAsync(NpgsqlConnection connection, string function, CancellationToken ct)
        {
            await using var command = new NpgsqlCommand($"SELECT {function}(@key)", connection);
            command.Parameters.AddWithValue("key", PostgresLockKey);
            return await command.ExecuteScalarAsync(ct) is not false; // pg_advisory_lock returns void: it only returns once held
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                command.Parameters.AddWithValue("key", PostgresLockKey);
                await command.ExecuteNonQueryAsync();
            }
            finally { await connection.DisposeAsync(); } // closing the session releases it in any case
        }
    }

    /// <summary>
    /// An exclusive lock on <c>&lt;database file&gt;.schema-lock</c>. Never on the database file itself: closing any
    /// handle to it would drop SQLite's own POSIX locks held by this process. The file stays; only the lock matters.
    /// </summary>
    private sealed class SqliteFileLock(FileStream? file) : IAsyncDisposable
    {
        private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(100);

        public static async Task<IAsyncDisposable> AcquireAsync(string connectionString, ILogger logger, CancellationToken ct)
        {
            var source = new SqliteConnectionStringBuilder(connectionString);
            if (source.Mode == SqliteOpenMode.Memory || source.DataSource is "" or ":memory:")
                return new SqliteFileLock(null); // private to this process's connection: nothing else can migrate it
            var path = Path.GetFullPath(source.DataSource) + ".schema-lock";
            bool told = false;
            while (true)
            {
                try { return new SqliteFileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)); }
                catch (IOException e) when (e is not (DirectoryNotFoundException or FileNotFoundException or PathTooLongException))
                {
                    if (!told) logger.LogInformation("Waiting for another instance to finish upgrading the run store's schema ({Path})", path);
                    told = true;
                    await Task.Delay(Retry, ct);
                }
            }
        }

        public ValueTask DisposeAsync() => file?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
