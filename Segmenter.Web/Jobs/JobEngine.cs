using System.Security.Cryptography;
using System.Text;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using Segmenter.Web.Api;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Web.Jobs;

/// <summary>
/// The job engine behind API runs, chosen by the store: with a shared PostgreSQL store (<c>ConnectionStrings:Segmenter</c>)
/// Hangfire keeps its queue in the same database and every instance of role all or worker runs a Hangfire server with
/// <see cref="SegmenterOptions.MaxConcurrentJobs"/> workers; on the embedded store API runs queue in the process as they
/// always did (<see cref="JobRunner"/>). docs/operations.md says why Hangfire and what the roles do.
/// </summary>
public static class JobEngine
{
    /// <summary>
    /// A fetched job whose worker wrote no keep-alive for this long is handed to another worker. The keep-alive is written
    /// every fifth of it (Hangfire.PostgreSql's sliding invisibility timeout), so only a dead worker's job waits this long.
    /// </summary>
    public static readonly TimeSpan InvisibilityTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle worker looks for a job (it is also woken by an enqueue in its own process).</summary>
    public static readonly TimeSpan QueuePollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The Hangfire dashboard's path, mounted only when API keys are set (it asks for one in X-Api-Key).</summary>
    public const string DashboardPath = "/jobs";

    /// <summary>True when API runs go through the job engine: a shared PostgreSQL store is configured.</summary>
    public static bool IsShared(IConfiguration configuration)
        => RunStoreSetup.IsPostgres(configuration.GetConnectionString(RunStoreSetup.ConnectionName));

    /// <summary>The configured role; "web" and "worker" without a shared store stop the start with what to set.</summary>
    public static string RoleOf(IConfiguration configuration)
    {
        var role = configuration[$"{SegmenterOptions.Section}:{nameof(SegmenterOptions.Role)}"] is { Length: > 0 } r ? r : Roles.All;
        if (role is Roles.Web or Roles.Worker && !IsShared(configuration))
            throw new InvalidOperationException(
                $"{SegmenterOptions.Section}:Role={role} needs a shared PostgreSQL store: set ConnectionStrings:{RunStoreSetup.ConnectionName} " +
                "to the database every instance uses (docs/operations.md, \"Roles\"), or leave the role at \"all\".");
        return role;
    }

    public static IServiceCollection AddSegmenterJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<JobMetrics>();
        if (!IsShared(configuration)) return services;

        var connectionString = configuration.GetConnectionString(RunStoreSetup.ConnectionName)!;
        var role = RoleOf(configuration);
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                PrepareSchemaIfNecessary = false, // installed by the store's upgrade under its lock (InstallStorageAsync)
                UseSlidingInvisibilityTimeout = true,
                InvisibilityTimeout = InvisibilityTimeout,
                QueuePollInterval = QueuePollInterval,
            }));
        services.AddSingleton<DurableRuns>();
        services.AddTransient<RunWorkerJob>();
        services.AddHealthChecks().AddCheck<JobStorageHealthCheck>("jobs");
        if (role != Roles.Web)
            services.AddHangfireServer((sp, o) =>
            {
                o.WorkerCount = sp.GetRequiredService<IOptions<SegmenterOptions>>().Value.MaxConcurrentJobs;
                o.ServerName = RunWorkerJob.WorkerName;
            });
        return services;
    }

    /// <summary>Points the metrics at the API's runs, and mounts the dashboard (read-only, behind the API keys) where it belongs.</summary>
    public static void UseSegmenterJobs(this WebApplication app, string role)
    {
        app.Services.GetRequiredService<JobMetrics>().CountFrom(app.Services.GetRequiredService<ApiRuns>().Counts);
        var keys = app.Services.GetRequiredService<IOptions<SegmenterOptions>>().Value.ApiKeys;
        if (IsShared(app.Configuration) && role != Roles.Worker && keys.Length > 0)
            app.UseHangfireDashboard(DashboardPath, new DashboardOptions
            {
                Authorization = [new ApiKeyDashboardAuthorization(keys)],
                IsReadOnlyFunc = _ => true,
                DisplayStorageConnectionString = false,
                AppPath = null,
            });
    }

    /// <summary>Creates or upgrades Hangfire's tables (schema <c>hangfire</c>); called under the store's schema lock.</summary>
    internal static async Task InstallStorageAsync(string connectionString, ILogger logger, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        PostgreSqlObjectsInstaller.Install(connection);
        logger.LogInformation("The job engine's tables are ready");
    }

    /// <summary>The dashboard opens only for a request that carries one of the API keys in X-Api-Key.</summary>
    private sealed class ApiKeyDashboardAuthorization(string[] keys) : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var given = Encoding.UTF8.GetBytes(context.GetHttpContext().Request.Headers[SegmentationApi.ApiKeyHeader].ToString());
            return keys.Any(k => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k), given));
        }
    }
}

/// <summary>Unhealthy when the job engine's storage cannot be read: queued API runs could be neither taken nor answered for.</summary>
public sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var stats = storage.GetMonitoringApi().GetStatistics();
            return Task.FromResult(HealthCheckResult.Healthy(
                $"The job storage answers: {stats.Enqueued} job(s) enqueued, {stats.Processing} processing, {stats.Servers} worker server(s)."));
        }
        catch (Exception ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The job storage cannot be read, so queued runs are neither taken nor answered for: {ex.Message}", ex));
        }
    }
}
