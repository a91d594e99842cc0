using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Segmenter.Web.Api;
using Segmenter.Web.Components;
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
builder.Services.AddSingleton<JobRunner>();
builder.Services.AddSingleton<SessionRegistry>();
builder.Services.AddSingleton<SampleImages>();
builder.Services.AddSingleton<ISegmentationEngine, EngineSegmentation>();
builder.Services.AddSingleton<IImageCodec, EngineImageCodec>();
builder.Services.AddScoped<SegmentationSession>();
builder.Services.AddRunStore(builder.Configuration);
builder.Services.AddSingleton<ResidentBudget>();
builder.Services.TryAddSingleton(TimeProvider.System);
// A dropped connection cancels its job after a short grace, not after the circuit's 3-minute retention.
builder.Services.AddScoped<CircuitHandler, SessionCircuitHandler>();

builder.Services.AddMudServices();
builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents()
    // Plotly traces of 20,000 points and file chunks travel over the circuit.
    .AddHubOptions(o => o.MaximumReceiveMessageSize = 4 * 1024 * 1024);

var app = builder.Build();

// Once, at start-up: torch's thread count is process-wide, and a forward pass shows whether training can work at all.
if (app.Services.GetRequiredService<TorchStartupProbe>().Run() is { } torchFailure)
    app.Logger.LogError(torchFailure, "TorchSharp cannot run the model; the page is served but training will fail and {Health} answers 503", HealthEndpoint.Path);

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();
app.UseHistoryCookie();

app.MapStaticAssets();

app.MapSegmenterHealth();
app.MapSegmenterApi();

app.MapRunFiles();

app.MapGet("/samples/{file}", (string file, SampleImages samples) =>
    samples.FileFor(file) is { } f && samples.Open(f) is { } stream
        ? Results.Stream(stream, SampleImages.ContentType(f))
        : Results.NotFound());

app.MapGet("/image/{sessionId}/{which}.png", (string sessionId, string which, SessionRegistry sessions) =>
    sessions.Find(sessionId)?.GetImageFile(which) is { } f ? Results.File(f.Bytes, f.ContentType) : Results.NotFound());

app.MapGet("/download/{sessionId}/{file}", (string sessionId, string file, SessionRegistry sessions) =>
{
    var session = sessions.Find(sessionId);
    if (session is null) return Results.NotFound();
    var stem = session.FileStem;
    return file switch
    {
        "segmented.png" when session.GetPng("segmented") is { } png => Results.File(png, "image/png", $"{stem}-segmented.png"),
        "labels.png" when session.GetPng("labels") is { } png => Results.File(png, "image/png", $"{stem}-labels.png"),
        "history.csv" => Results.File(System.Text.Encoding.UTF8.GetBytes(session.History.ToCsv()), "text/csv", $"{stem}-history.csv"),
        "report.json" when session.GetReportJson() is { } json
            => Results.File(System.Text.Encoding.UTF8.GetBytes(json), "application/json", $"{stem}-report.json"),
        _ => Results.NotFound(),
    };
});

app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

app.Run();

/// <summary>Visible to the tests (WebApplicationFactory).</summary>
public partial class Program { }
