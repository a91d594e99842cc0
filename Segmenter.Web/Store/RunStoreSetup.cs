using Microsoft.EntityFrameworkCore;
using Segmenter.Web.Services;

namespace Segmenter.Web.Store;

/// <summary>Chooses the store's database from configuration and registers the store's services.</summary>
public static class RunStoreSetup
{
    /// <summary>The connection string's name: <c>ConnectionStrings:Segmenter</c>.</summary>
    public const string ConnectionName = "Segmenter";

    /// <summary>The SQLite file's name inside <see cref="SegmenterOptions.DataFolder"/>.</summary>
    public const string SqliteFileName = "segmenter.db";

    /// <summary>True when the connection string names a PostgreSQL server (Npgsql keywords or a postgres:// URI).</summary>
    public static bool IsPostgres(string? connectionString)
        => connectionString is { } cs
           && (cs.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || cs.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
               || cs.Split(';').Any(part => part.Trim().StartsWith("Host=", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The data folder: the configured one, or a <c>data</c> folder beside the app.</summary>
    public static string DataFolder(SegmenterOptions options)
        => string.IsNullOrWhiteSpace(options.DataFolder) ? Path.Combine(AppContext.BaseDirectory, "data") : Path.GetFullPath(options.DataFolder);

    /// <summary>The SQLite connection string: the configured one, or the data folder's file (the folder is created).</summary>
    public static string SqliteConnectionString(string? connectionString, SegmenterOptions options)
    {
        if (!string.IsNullOrWhiteSpace(connectionString)) return connectionString;
        var folder = DataFolder(options);
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, SqliteFileName)}";
    }

    /// <summary>
    /// PostgreSQL when <c>ConnectionStrings:Segmenter</c> names one, else SQLite (that string, or the data folder's
    /// file). The store's code asks for <see cref="RunStoreContext"/>; it gets the provider's own context type, whose
    /// migrations set matches the provider.
    /// </summary>
    public static IServiceCollection AddRunStore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionName);
        if (IsPostgres(connectionString))
            AddContexts<PostgresRunStoreContext>(services, (_, builder) => builder.UseNpgsql(connectionString));
        else
            AddContexts<SqliteRunStoreContext>(services, (sp, builder) =>
                builder.UseSqlite(SqliteConnectionString(connectionString, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SegmenterOptions>>().Value)));
        services.AddSingleton<RunStore>();
        // Created or upgraded as the host starts, so a store it cannot use stops the start with its reason.
        services.AddHostedService<RunStoreStartup>();
        // Every query at Information would bury the app's own log lines.
        services.AddLogging(logging => logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning));
        return services;
    }

    private static void AddContexts<TContext>(IServiceCollection services, Action<IServiceProvider, DbContextOptionsBuilder> configure)
        where TContext : RunStoreContext
    {
        services.AddDbContextFactory<TContext>(configure);
        services.AddSingleton<IDbContextFactory<RunStoreContext>>(sp => new ContextsOf<TContext>(sp.GetRequiredService<IDbContextFactory<TContext>>()));
    }

    /// <summary>Hands out the provider's context as the store's base type.</summary>
    private sealed class ContextsOf<TContext>(IDbContextFactory<TContext> contexts) : IDbContextFactory<RunStoreContext>
        where TContext : RunStoreContext
    {
        public RunStoreContext CreateDbContext() => contexts.CreateDbContext();
        public async Task<RunStoreContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
            => await contexts.CreateDbContextAsync(cancellationToken);
    }
}

/// <summary>Initialises the run store when the host starts.</summary>
internal sealed class RunStoreStartup(RunStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitialiseAsync().WaitAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
