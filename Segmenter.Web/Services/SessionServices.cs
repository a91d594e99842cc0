using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Segmenter.Web.Services;

/// <summary>
/// The page's session, registered in one call: the shared machinery (the job runner, the live sessions, the samples,
/// the run publisher, the memory budget) once per server, and one visitor's parts once per circuit (scoped): the
/// change notifier, the history and the session, and the circuit handler that lets a vanished visitor's work go.
/// </summary>
public static class SessionServices
{
    public static IServiceCollection AddSegmenterSession(this IServiceCollection services)
    {
        services.AddSingleton<JobRunner>();
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<SampleImages>();
        services.AddSingleton<RunPublisher>();
        services.AddSingleton<ResidentBudget>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddScoped<SessionChanges>();
        services.AddScoped<RunHistory>();
        services.AddScoped<SegmentationSession>();
        // A dropped connection cancels its job after a short grace, not after the circuit's 3-minute retention.
        services.AddScoped<CircuitHandler, SessionCircuitHandler>();
        return services;
    }
}
