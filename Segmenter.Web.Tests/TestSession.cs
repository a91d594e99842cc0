using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Web.Tests;

/// <summary>
/// One visitor's session as a circuit gets it: the services <see cref="SessionServices.AddSegmenterSession"/>
/// registers, resolved in one scope, with the test's job runner, options and store. Disposing it ends the circuit.
/// </summary>
internal sealed class TestSession : IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly bool _ownsProvider;
    private readonly IServiceScope _scope;
    private BunitContext? _attached;

    private TestSession(ServiceProvider provider, bool ownsProvider = true)
    {
        _provider = provider;
        _ownsProvider = ownsProvider;
        _scope = provider.CreateScope();
        // The circuit's handler makes the session's memory at once (it registers with the budget); so does a test.
        _ = Memory;
    }

    /// <summary>A session on the real engine; give it a tiny image (<see cref="TestData.Image"/>) so a run takes well under a second.</summary>
    public static TestSession Create(JobRunner? runner = null, SegmenterOptions? options = null, RunStore? store = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(Options.Create(options ?? new SegmenterOptions()));
        services.AddSegmenterSession();
        services.AddSingleton(runner ?? TestData.Runner());
        if (store is not null) services.AddSingleton(store);
        return new TestSession(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }));
    }

    /// <summary>Another visitor of the same app: its own session, sharing the singletons (runner, store, memory budget).</summary>
    public TestSession Another() => new(_provider, ownsProvider: false);

    public IServiceProvider Services => _scope.ServiceProvider;

    private T Get<T>() where T : notnull => _scope.ServiceProvider.GetRequiredService<T>();

    public SessionChanges Changes => Get<SessionChanges>();
    public SessionImage Image => Get<SessionImage>();
    public SessionSettings Settings => Get<SessionSettings>();
    public SessionJobs Jobs => Get<SessionJobs>();
    public CurrentResult Current => Get<CurrentResult>();
    public ClusterPicks Picks => Get<ClusterPicks>();
    public SessionRuns Runs => Get<SessionRuns>();
    public ClusterEditing Edits => Get<ClusterEditing>();
    public SessionAssessment Assessment => Get<SessionAssessment>();
    public RunHistory History => Get<RunHistory>();
    public SessionMemory Memory => Get<SessionMemory>();
    public SessionFiles Files => Get<SessionFiles>();

    /// <summary>Lets <paramref name="ctx"/>'s components inject this session's services.</summary>
    public void AttachTo(BunitContext ctx)
    {
        if (ReferenceEquals(_attached, ctx)) return;
        ctx.Services.AddFallbackServiceProvider(Services);
        _attached = ctx;
    }

    public void Dispose()
    {
        _scope.Dispose();
        if (_ownsProvider) _provider.Dispose();
    }
}

internal static class TestSessionRendering
{
    /// <summary>Renders a panel of <paramref name="session"/>, its services injected as the page's circuit injects them.</summary>
    public static IRenderedComponent<T> Render<T>(this BunitContext ctx, TestSession session) where T : IComponent
    {
        session.AttachTo(ctx);
        return ctx.Render<T>();
    }
}
