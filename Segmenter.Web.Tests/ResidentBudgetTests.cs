using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

public class ResidentBudgetTests
{
    private sealed class Holder(long bytes, DateTime lastActive, bool busy = false) : IResidentHolder
    {
        public long ResidentBytes { get; private set; } = bytes;
        public DateTime LastActiveUtc { get; } = lastActive;
        public int Releases;

        public long ReleaseResident()
        {
            Releases++;
            if (busy) return 0;
            var freed = ResidentBytes;
            ResidentBytes = 0;
            return freed;
        }
    }

    private static ResidentBudget Budget(double megabytes)
        => new(Options.Create(new SegmenterOptions { MaxResidentMegabytes = megabytes }), NullLogger<ResidentBudget>.Instance, TimeProvider.System);

    [Fact]
    public void Under_load_the_least_recently_active_idle_holders_release_until_the_total_fits()
    {
        const long Mb = 1024 * 1024;
        var budget = Budget(1000);
        var t0 = DateTime.UtcNow;
        // 20 sessions of 150 MB each, the 3rd oldest busy (a running job): 3000 MB against a 1000 MB budget.
        var holders = Enumerable.Range(0, 20).Select(i => new Holder(150 * Mb, t0.AddSeconds(i), busy: i == 2)).ToArray();
        foreach (var h in holders) budget.Register(h);
        var newest = holders[^1];

        budget.Enforce(keep: newest);

        Assert.True(budget.TotalBytes <= budget.BudgetBytes, $"{budget.TotalBytes / Mb} MB resident over a {budget.BudgetBytes / Mb} MB budget");
        Assert.Equal(150 * Mb, holders[2].ResidentBytes); // busy: asked, kept its state
        Assert.All(holders[..2], h => Assert.Equal(0, h.ResidentBytes));
        Assert.All(holders[3..15], h => Assert.Equal(0, h.ResidentBytes));
        Assert.All(holders[15..], h => Assert.Equal(150 * Mb, h.ResidentBytes)); // the most recent stay
        Assert.Equal(0, newest.Releases);
    }

    [Fact]
    public void Within_the_budget_nobody_is_asked()
    {
        var budget = Budget(1000);
        var h = new Holder(100 * 1024 * 1024, DateTime.UtcNow);
        budget.Register(h);
        budget.Enforce();
        Assert.Equal(0, h.Releases);
        budget.Unregister(h);
        Assert.Equal(0, budget.TotalBytes);
    }
}
