using Microsoft.Extensions.DependencyInjection;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

public class SessionServicesTests
{
    private static ServiceProvider Provider()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptions<SegmenterOptions>();
        services.AddSegmenterSession();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    [Fact]
    public void A_circuits_session_shares_its_change_notifier_and_history_with_the_panels_that_inject_them()
    {
        using var provider = Provider();
        using var scope = provider.CreateScope();
        var session = scope.ServiceProvider.GetRequiredService<SegmentationSession>();
        var changes = scope.ServiceProvider.GetRequiredService<SessionChanges>();
        Assert.Same(changes, session.Changes);
        Assert.Same(scope.ServiceProvider.GetRequiredService<RunHistory>(), session.History);

        int seen = 0;
        changes.Changed += () => seen++;
        session.SetImage(TestData.Image(8, 6), "a.png");
        Assert.Equal(1, seen);
    }

    [Fact]
    public void Each_circuit_gets_its_own_session_and_every_circuit_the_same_job_runner()
    {
        using var provider = Provider();
        using var first = provider.CreateScope();
        using var second = provider.CreateScope();
        Assert.NotSame(first.ServiceProvider.GetRequiredService<SegmentationSession>(), second.ServiceProvider.GetRequiredService<SegmentationSession>());
        Assert.NotSame(first.ServiceProvider.GetRequiredService<RunHistory>(), second.ServiceProvider.GetRequiredService<RunHistory>());
        Assert.Same(first.ServiceProvider.GetRequiredService<JobRunner>(), second.ServiceProvider.GetRequiredService<JobRunner>());
    }
}
