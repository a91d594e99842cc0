using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Segmenter.Web.Services;

namespace Segmenter.Web.Operations;

/// <summary>
/// <c>GET /healthz</c> through ASP.NET Core health checks: 200 when every check is healthy, 503 otherwise, with a JSON
/// body a person and a load balancer can read: status, the job runner's running and queued counts, and each check.
/// </summary>
public static class HealthEndpoint
{
    public const string Path = "/healthz";

    public static IHealthChecksBuilder AddSegmenterHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<TorchStartupProbe>();
        return services.AddHealthChecks().AddCheck<TorchHealthCheck>("torch").AddCheck<StoreHealthCheck>("store");
    }

    public static IEndpointConventionBuilder MapSegmenterHealth(this IEndpointRouteBuilder endpoints)
        => endpoints.MapHealthChecks(Path, new HealthCheckOptions { ResponseWriter = WriteAsync });

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var runner = context.RequestServices.GetRequiredService<JobRunner>();
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            running = runner.Running,
            queued = runner.Queued,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString().ToLowerInvariant(),
                description = e.Value.Description,
            }),
        };
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
