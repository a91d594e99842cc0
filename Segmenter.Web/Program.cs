using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Segmenter.Web;
using Segmenter.Web.Api;
using Segmenter.Web.Components;
using Segmenter.Web.Jobs;
using Segmenter.Web.Operations;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

var builder = WebApplication.CreateBuilder(args);

// Plain http on loopback unless any URL, port or Kestrel endpoint setting is given.
HostingDefaults.ApplyLoopbackDefault(builder);

builder.Services.AddOptions<SegmenterOptions>().Bind(builder.Configuration.GetSection(SegmenterOptions.Section)).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<SegmenterOptions>, SegmenterOptionsValidator>();
builder.Services.AddSegmenterHealthChecks();
builder.Services.AddSegmenterApi();
builder.Services.AddRunStore(builder.Configuration);
builder.Services.AddSegmenterSession();
// After the store: its start-up creates the job engine's tables before a job server starts.
builder.Services.AddSegmenterJobs(builder.Configuration);
var role = JobEngine.RoleOf(builder.Configuration);

builder.Services.AddMudServices();
builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents()
    // Uploaded file chunks and interop replies travel over the circuit in messages of up to 4 MB.
    .AddHubOptions(o => o.MaximumReceiveMessageSize = 4 * 1024 * 1024);

var app = builder.Build();

// Once, at start-up: torch's thread count is process-wide, and a forward pass shows whether training can work at all.
if (app.Services.GetRequiredService<TorchStartupProbe>().Run() is { } torchFailure)
    app.Logger.LogError(torchFailure, "TorchSharp cannot run the model; the page is served but training will fail and {Health} answers 503", HealthEndpoint.Path);

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseSegmenterJobs(role);
if (role == Roles.Worker)
{
    // A worker runs queued API runs and answers only whether it can (torch, the store, the job storage).
    app.MapSegmenterHealth();
}
else
{
    app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
    app.UseAntiforgery();
    app.UseHistoryCookie();

    app.MapStaticAssets();

    app.MapSegmenterEndpoints();

    app.MapRazorComponents<App>()
        .AddInteractiveServerRenderMode();
}

app.Run();

/// <summary>Visible to the tests (WebApplicationFactory).</summary>
public partial class Program { }
