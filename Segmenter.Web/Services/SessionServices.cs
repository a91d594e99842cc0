using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Segmenter.Web.Services;

/// <summary>
/// The page's session, registered in one call: the shared machinery (the job runner, the live sessions, the samples,
/// the run publisher, the memory budget) once per server, and one visitor's session once per circuit (scoped), in
/// parts that each own one thing and are injected where they are used: the lock and end (<see cref="SessionGate"/>),
/// the change notifier, the jobs and their progress, the image, the settings, the current result and the clusters
/// picked on it, the history, the assessment, the publishing of finished runs, the runs the visitor starts, the edits,
/// the memory, and the files served over HTTP; and the circuit handler that lets a vanished visitor's work go.
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

        services.AddScoped<SessionGate>();
        services.AddScoped<SessionChanges>();
        services.AddScoped<SessionJobs>();
        services.AddScoped<SessionImage>();
        services.AddScoped<SessionSettings>();
        services.AddScoped<CurrentResult>();
        services.AddScoped<ClusterPicks>();
        services.AddScoped<RunHistory>();
        services.AddScoped<SessionAssessment>();
        services.AddScoped<SessionPublisher>();
        services.AddScoped<ResultEdits>();
        services.AddScoped<SessionRuns>();
        services.AddScoped<ClusterEditing>();
        services.AddScoped<SessionMemory>();
        services.AddScoped<SessionFiles>();
        // A dropped connection cancels its job after a short grace, not after the circuit's 3-minute retention.
        services.AddScoped<CircuitHandler, SessionCircuitHandler>();
        return services;
    }
}
