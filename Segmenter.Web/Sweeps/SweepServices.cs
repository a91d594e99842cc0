namespace Segmenter.Web.Sweeps;

public static class SweepServices
{
    /// <summary>The sweeps' store and runner (one per process) and the page's sweep state (one per circuit).</summary>
    public static IServiceCollection AddSweeps(this IServiceCollection services)
    {
        services.AddSingleton<SweepStore>();
        services.AddSingleton<SweepRunner>();
        services.AddScoped<SweepSession>();
        return services;
    }
}
