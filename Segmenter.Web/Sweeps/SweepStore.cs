using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Segmenter.Web.Store;

namespace Segmenter.Web.Sweeps;

/// <summary>Sweeps in the run store's database (the <c>sweeps</c> table, beside the runs they point at). Thread-safe; one context per call.</summary>
public sealed class SweepStore(IDbContextFactory<RunStoreContext> contexts, RunStore runs)
{
    public async Task AddAsync(StoredSweep sweep, CancellationToken ct = default)
    {
        await runs.InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Sweeps.Add(sweep);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A sweep by its public id (anyone with the link may read it), or null.</summary>
    public async Task<StoredSweep?> GetAsync(string id, CancellationToken ct = default)
    {
        if (!RunCodec.IsId(id)) return null;
        await runs.InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Sweeps.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
    }

    /// <summary>Records the run queued for the combination at <paramref name="index"/>.</summary>
    public Task SetRunAsync(string id, int index, string runId, CancellationToken ct = default)
        => UpdateAsync(id, s =>
        {
            var ids = RunIds(s);
            ids[index] = runId;
            s.RunIdsJson = JsonSerializer.Serialize(ids);
        }, ct);

    public Task CancelAsync(string id, CancellationToken ct = default) => UpdateAsync(id, s => s.Cancelled = true, ct);

    /// <summary>The run id of each combination, null where none was queued.</summary>
    public static string?[] RunIds(StoredSweep sweep) => JsonSerializer.Deserialize<string?[]>(sweep.RunIdsJson) ?? [];

    private async Task UpdateAsync(string id, Action<StoredSweep> change, CancellationToken ct)
    {
        await runs.InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Sweeps.FindAsync([id], ct) is not { } sweep) return;
        change(sweep);
        await db.SaveChangesAsync(ct);
    }
}
