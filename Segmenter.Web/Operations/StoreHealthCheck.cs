using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Segmenter.Web.Store;

namespace Segmenter.Web.Operations;

/// <summary>
/// Unhealthy when the run store cannot be written (a read-only or full disk, a SQLite file locked by another program,
/// PostgreSQL down): a finished run could not be kept. The check writes for real, in a transaction it rolls back.
/// </summary>
public sealed class StoreHealthCheck(RunStore store, IDbContextFactory<RunStoreContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.InitialiseAsync(); // created and schema-checked first; its failure is the answer
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            int rows = await db.Schema.ExecuteUpdateAsync(s => s.SetProperty(x => x.Version, x => x.Version), cancellationToken);
            await tx.RollbackAsync(cancellationToken);
            return rows == 1
                ? HealthCheckResult.Healthy("The run store accepts writes.")
                : HealthCheckResult.Unhealthy("The run store has no schema row; it was not initialised.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The run store cannot be written, so finished runs would be lost: {ex.Message}", ex);
        }
    }
}
