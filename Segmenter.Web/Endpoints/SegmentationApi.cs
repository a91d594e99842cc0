using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Steering;
using Segmenter.Web.Services;
using Segmenter.Web.Store;
using Segmenter.Web.Sweeps;

namespace Segmenter.Web.Api;

/// <summary>
/// The HTTP API for scripts and notebooks, its OpenAPI document (<c>/openapi/v1.json</c>) and its browsable reference
/// (<c>/api</c>, Scalar, served from the app's own assets). Errors are RFC 7807 problem details with the page's messages.
/// </summary>
public static class SegmentationApi
{
    public const string Route = AppUrls.ApiRoute;
    public const string OpenApiPath = "/openapi/v1.json";
    public const string ReferencePath = "/api";
    public const string ApiKeyHeader = "X-Api-Key";
    public const string Tag = "Segmentations";

    /// <summary>The optional multipart part with hand strokes: a greyscale label PNG of the image's size.</summary>
    public const string ScribblesPart = "scribbles";

    public static IServiceCollection AddSegmenterApi(this IServiceCollection services)
    {
        services.AddSingleton<ApiRuns>();
        services.AddSweeps();
        services.AddProblemDetails();
        // The API answers numbers as JSON numbers and takes no JSON body; strict number handling makes its document say so
        // (the web defaults also read numbers from strings, which the document would offer as "integer or string").
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi(ApiDocument.Configure);
        return services;
    }

    public static void MapSegmenterApi(this WebApplication app)
    {
        app.MapOpenApi(OpenApiPath.Replace("v1", "{documentName}", StringComparison.Ordinal));
        app.MapScalarApiReference(ReferencePath, o => o.WithTitle(ApiDocument.Title).WithOpenApiRoutePattern(OpenApiPath).DisableDefaultFonts());

        long maxUpload = app.Services.GetRequiredService<IOptions<SegmenterOptions>>().Value.MaxUploadBytes;
        var api = app.MapGroup(Route).WithTags(Tag).AddEndpointFilter(RequireApiKey)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        api.MapPost("/", Submit)
            .DisableAntiforgery()
            // The form around the file may add a little to the upload itself; the loader enforces the exact byte limit.
            .WithMetadata(new RequestSizeLimitAttribute(maxUpload + 1024 * 1024))
            .Accepts<SegmentationUpload>("multipart/form-data")
            .Produces<SegmentationAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithName(ApiDocument.SubmitOperation).WithSummary("Queue a segmentation of an uploaded image")
            .WithDescription("Multipart form: a file part `image` and an optional part `settings`, a JSON object with the run report's " +
                             "parameter names (e.g. {\"clusters\":3,\"epochs\":3}); absent ones take the Fast preset's defaults. " +
                             $"\"{StabilitySeeds.SettingName}\": N (2…{StabilitySeeds.Max}) also trains N − 1 more seeds and reports their mean pairwise ARI as `stability`. " +
                             $"An optional file part `{ScribblesPart}` (a greyscale label PNG of the image's size, 0 = no stroke, 1…{Scribbles.MaxBrushes} = brush) " +
                             "re-clusters the trained codes so every stroked pixel ends in its brush's segment and different brushes in different segments.");

        api.MapGet("/{id}", async (string id, ApiRuns runs, HttpContext context, CancellationToken ct) =>
                await runs.StatusAsync(id, ct) is { } status ? Results.Ok(status) : ApiProblem.NotFound(id).ToResult(context))
            .Produces<SegmentationStatus>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("getSegmentation").WithSummary("The run's state, place in the queue, epoch losses so far, and its result once finished")
            .WithDescription("Poll this until `state` is `finished`, `failed` or `cancelled`. A finished run's `result` holds its summary " +
                             "and the URLs of its files. Runs made in the browser can be read here too (the id of their `/runs/{id}` link).");

        api.MapGet(FileRoute(RunFile.Labels), (string id, RunStore store, HttpContext context, CancellationToken ct) =>
                File(id, context, async () => await store.GetAsync(id, ct) is { } run && await store.GetLabelsAsync(id, ct) is { } labels
                    ? (ImageLoader.EncodeLabelPng(labels, run.Summary.Width, run.Summary.Height), "image/png") : null))
            .Produces(StatusCodes.Status200OK, contentType: "image/png").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("getSegmentationLabels").WithSummary("The label map: a greyscale PNG whose value is each pixel's cluster index")
            .WithDescription("One byte a pixel, the image's size. 409 while the run is queued or running.");
        api.MapGet(FileRoute(RunFile.Segmented), (string id, RunStore store, HttpContext context, CancellationToken ct) =>
                File(id, context, () => store.GetFileAsync(id, RunFile.Segmented, ct)))
            .Produces(StatusCodes.Status200OK, contentType: "image/png").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("getSegmentationSegmented").WithSummary("Every pixel painted with its cluster's mean colour")
            .WithDescription("A PNG of the image's size. 409 while the run is queued or running.");
        api.MapGet(FileRoute(RunFile.Report), (string id, RunStore store, HttpContext context, CancellationToken ct) =>
                File(id, context, () => store.GetFileAsync(id, RunFile.Report, ct)))
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("getSegmentationReport").WithSummary("The run report: every parameter used, epoch losses, metrics, clusters, timings")
            .WithDescription("The JSON the command line's `segment` writes as report.json. 409 while the run is queued or running.");
        api.MapGet(FileRoute(RunFile.Strokes), (string id, RunStore store, HttpContext context, CancellationToken ct) =>
                File(id, context, () => store.GetFileAsync(id, RunFile.Strokes, ct)))
            .Produces(StatusCodes.Status200OK, contentType: "image/png").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("getSegmentationStrokes").WithSummary("The strokes the run was steered by")
            .WithDescription($"The label PNG the `{ScribblesPart}` part takes (0 = none, 1…{Scribbles.MaxBrushes} = brush): posting it again with the same " +
                             "settings replays the run. 404 for a run without strokes, 409 while the run is queued or running.");

        api.MapDelete("/{id}", async (string id, ApiRuns runs, HttpContext context, CancellationToken ct) =>
            {
                try { return await runs.CancelOrDeleteAsync(id, ct) ? Results.NoContent() : ApiProblem.NotFound(id).ToResult(context); }
                catch (ApiProblem problem) { return problem.ToResult(context); }
            })
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithName("deleteSegmentation").WithSummary("Cancel a queued or running run, or delete a finished one")
            .WithDescription("A run made in the browser can be read through the API but deleted only from its page (403).");
    }

    private static async Task<IResult> Submit(HttpContext context, ApiRuns runs, CancellationToken ct)
    {
        try
        {
            var form = await ReadFormAsync(context, ct);
            var image = ImagePart(form);
            var scribbles = await OptionalPartAsync(form, ScribblesPart, ct);
            await using var stream = image.OpenReadStream();
            var run = await runs.SubmitAsync(stream, image.FileName, form["settings"].FirstOrDefault(), ct, scribbles);
            var status = ApiRuns.StatusUrl(run.Id);
            return Results.Accepted(status, new SegmentationAccepted(run.Id, run.State, run.Job.QueuePosition, status, ApiRuns.LinkOf(run.Id)));
        }
        catch (ApiProblem problem) { return problem.ToResult(context); }
    }

    /// <summary>The multipart form of a POST with an image, with the API's messages for a request that is not one or is too large.</summary>
    internal static async Task<IFormCollection> ReadFormAsync(HttpContext context, CancellationToken ct)
    {
        if (!context.Request.HasFormContentType)
            throw ApiProblem.BadImage("Send a multipart/form-data request with the image in a part named \"image\".");
        try { return await context.Request.ReadFormAsync(ct); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ApiProblem(e.StatusCode, "The image was refused", $"The upload is too large: {e.Message}");
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            throw ApiProblem.BadImage($"The upload could not be read: {e.Message}");
        }
    }

    internal static IFormFile ImagePart(IFormCollection form)
        => form.Files.GetFile("image") ?? throw ApiProblem.BadImage("The request has no file part named \"image\".");

    /// <summary>The bytes of an optional file part, or null when the form has none of that name.</summary>
    internal static async Task<byte[]?> OptionalPartAsync(IFormCollection form, string name, CancellationToken ct)
    {
        if (form.Files.GetFile(name) is not { } part) return null;
        using var buffer = new MemoryStream();
        await using (var partStream = part.OpenReadStream()) await partStream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>A run file's route under the API's run: the file names are the run link's (<see cref="RunEndpoints.FileName"/>).</summary>
    private static string FileRoute(RunFile file) => "/{id}/" + RunEndpoints.FileName(file);

    private static async Task<IResult> File(string id, HttpContext context, Func<Task<(byte[] Bytes, string ContentType)?>> read)
    {
        if (context.RequestServices.GetRequiredService<ApiRuns>().PendingState(id) is { } state) return ApiProblem.NotYet(id, state).ToResult(context);
        return await read() is { } file ? Results.File(file.Bytes, file.ContentType) : ApiProblem.NotFound(id).ToResult(context);
    }

    /// <summary>With <see cref="SegmenterOptions.ApiKeys"/> set, a request must carry one of them in <see cref="ApiKeyHeader"/>.</summary>
    internal static async ValueTask<object?> RequireApiKey(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var keys = context.RequestServices.GetRequiredService<IOptions<SegmenterOptions>>().Value.ApiKeys;
        if (keys.Length == 0) return await next(invocation);
        var given = Encoding.UTF8.GetBytes(context.Request.Headers[ApiKeyHeader].ToString());
        if (keys.Any(k => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k), given)))
            return await next(invocation);
        return new ApiProblem(StatusCodes.Status401Unauthorized, "An API key is required",
            $"This server needs one of its API keys in the {ApiKeyHeader} header.").ToResult(context);
    }
}

/// <summary>The multipart form of <c>POST /api/segmentations</c>, as the OpenAPI document describes it.</summary>
public sealed class SegmentationUpload
{
    /// <summary>The image: PNG, JPEG, BMP, GIF or WebP.</summary>
    public required IFormFile Image { get; init; }

    /// <summary>JSON object with the run report's parameter names, e.g. {"clusters":3,"epochs":3}.</summary>
    public string? Settings { get; init; }

    /// <summary>Optional hand strokes: a greyscale label PNG of the image's size, 0 = no stroke, 1…16 = brush.</summary>
    public IFormFile? Scribbles { get; init; }
}
