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
    public void The_parts_of_a_circuits_session_announce_their_changes_through_its_one_notifier()
    {
        using var provider = Provider();
        using var scope = provider.CreateScope();
        var changes = scope.ServiceProvider.GetRequiredService<SessionChanges>();
        var image = scope.ServiceProvider.GetRequiredService<SessionImage>();
        var current = scope.ServiceProvider.GetRequiredService<CurrentResult>();
        int seen = 0;
        changes.Changed += () => seen++;

        image.Set(TestData.Image(8, 6), "a.png");
        Assert.Equal(1, seen);
        current.SetView(ResultView.Palette);
        Assert.Equal(2, seen);
        Assert.Equal(image.Generation, scope.ServiceProvider.GetRequiredService<SessionImage>().Generation);
    }

    [Fact]
    public void Each_circuit_gets_its_own_session_and_every_circuit_the_same_job_runner_and_registry()
    {
        using var provider = Provider();
        using var first = provider.CreateScope();
        using var second = provider.CreateScope();
        Assert.NotSame(first.ServiceProvider.GetRequiredService<SessionImage>(), second.ServiceProvider.GetRequiredService<SessionImage>());
        Assert.NotSame(first.ServiceProvider.GetRequiredService<RunHistory>(), second.ServiceProvider.GetRequiredService<RunHistory>());
        Assert.Same(first.ServiceProvider.GetRequiredService<JobRunner>(), second.ServiceProvider.GetRequiredService<JobRunner>());

        var registry = provider.GetRequiredService<SessionRegistry>();
        var files = first.ServiceProvider.GetRequiredService<SessionFiles>();
        Assert.Same(files, registry.Find(files.Id));
        first.Dispose();
        Assert.Null(registry.Find(files.Id));
    }

    [Fact]
    public void No_session_service_has_more_than_thirty_public_members()
    {
        var services = new ServiceCollection().AddSegmenterSession();
        var types = services.Select(d => d.ImplementationType).OfType<Type>().Where(t => t.Assembly == typeof(SessionServices).Assembly).Distinct().ToArray();
        Assert.True(types.Length >= 14, $"only {types.Length} of the session's types were found");
        var large = Oversized(types);
        Assert.True(large.Length == 0, string.Join(", ", large));
    }

    /// <summary>
    /// A newcomer reads a type in one sitting: no public type of the web app has more than thirty public members. Razor
    /// components (their members are the markup's parameters and handlers) and EF Core's generated migrations are not written by hand as types.
    /// </summary>
    [Fact]
    public void No_public_type_of_the_web_app_has_more_than_thirty_public_members()
    {
        var types = typeof(SessionServices).Assembly.GetExportedTypes()
            .Where(t => !typeof(Microsoft.AspNetCore.Components.IComponent).IsAssignableFrom(t))
            .Where(t => !typeof(Microsoft.EntityFrameworkCore.Migrations.Migration).IsAssignableFrom(t)
                && !typeof(Microsoft.EntityFrameworkCore.Infrastructure.ModelSnapshot).IsAssignableFrom(t))
            .ToArray();
        Assert.True(types.Length >= 50, $"only {types.Length} public types were found");
        var large = Oversized(types);
        Assert.True(large.Length == 0, string.Join(", ", large));
    }

    private static string[] Oversized(IEnumerable<Type> types) => types
        .Select(t => (t.FullName, Count: t.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance
                | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly)
            .Count(m => m is not System.Reflection.MethodInfo { IsSpecialName: true } && m is not System.Reflection.ConstructorInfo)))
        .Where(t => t.Count > 30).Select(t => $"{t.FullName} ({t.Count})").ToArray();
}
