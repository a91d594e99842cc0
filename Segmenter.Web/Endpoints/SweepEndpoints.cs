using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Segmenter.Web.Api;
using Segmenter.Web.Services;

namespace Segmenter.Web.Sweeps;

/// <summary>
/// <c>/api/sweeps</c>: queue a grid of runs over up to three settings' values (each an ordinary API run), poll the sweep
/// for every run's state and scores, cancel what has not finished. Same key filter and problem details as the runs' API.
/// </summary>
public static class SweepEndpoints
{
    public const string Tag = "Sweeps";
    public const string SubmitOperation = "submitSweep";

    /// <summary>The multipart part with the axes (JSON) and the optional truth label PNG.</summary>
    public const string AxesPart = "axes", TruthPart = "truth";

    public static void MapSweepApi(this WebApplication app)
    {
        // The grid as CSV, under the sweep's page link.
        app.MapGet(AppUrls.SweepCsvRoute, async (string id, SweepRunner sweeps, CancellationToken ct) =>
            await sweeps.StatusAsync(id, ct) is { } status
                ? Results.File(System.Text.Encoding.UTF8.GetBytes(SweepCsv.Write(status)), "text/csv", $"sweep-{id}.csv")
                : Results.NotFound());

        long maxUpload = app.Services.GetRequiredService<IOptions<SegmenterOptions>>().Value.MaxUploadBytes;
        var api = app.MapGroup(AppUrls.SweepApiRoute).WithTags(Tag).AddEndpointFilter(SegmentationApi.RequireApiKey)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        api.MapPost("/", Submit)
            .DisableAntiforgery()
            // The image and the truth may each be as large as an upload.
            .WithMetadata(new RequestSizeLimitAttribute(2 * maxUpload + 1024 * 1024))
            .Accepts<SweepUpload>("multipart/form-data")
            .Produces<SweepAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithName(SubmitOperation).WithSummary("Queue a sweep: one run per combination of up to three settings' values")
            .WithDescription("Multipart form: a file part `image`, an optional part `settings` (the runs' shared settings, as for a " +
                             "segmentation), a part `axes`: a JSON object whose keys are settings and whose values are a list " +
                             "(e.g. {\"window\":[1,3,5],\"heads\":[1,2,4]}) or a range {\"from\":…,\"to\":…,\"step\":…}, and an optional file " +
                             "part `truth`, a ground-truth label PNG of the image's size that every run is scored against (ARI, mean IoU). " +
                             "Every combination is checked before any is queued; a grid beyond the server's `Segmenter:MaxSweepRuns` is refused. " +
                             "The answer holds the runs' ids (null for a run still waiting for a queue place) and the status URL.");

        api.MapGet("/{id}", async (string id, SweepRunner sweeps, HttpContext context, CancellationToken ct) =>
                await sweeps.StatusAsync(id, ct) is { } status ? Results.Ok(status) : NotFound(id).ToResult(context))
            .Produces<SweepStatus>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("getSweep").WithSummary("The sweep's axes, state, and every run's state and scores")
            .WithDescription("Poll this until `state` is `finished` or `cancelled`. Each cell holds its values, its run's id, state and " +
                             "link (`/runs/{id}`), and once finished the run's thumbnail and scores.");

        api.MapDelete("/{id}", async (string id, SweepRunner sweeps, HttpContext context, CancellationToken ct) =>
                await sweeps.CancelAsync(id, ct) ? Results.NoContent() : NotFound(id).ToResult(context))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("cancelSweep").WithSummary("Cancel a sweep: runs not finished are cancelled, finished runs stay")
            .WithDescription("Combinations not yet queued are skipped, queued and running runs cancelled; the finished runs and the sweep " +
                             "stay readable (its state becomes `cancelled`). Deleting a sweep's runs is done run by run on `/api/segmentations/{id}`.");
    }

    private static async Task<IResult> Submit(HttpContext context, SweepRunner sweeps, CancellationToken ct)
    {
        try
        {
            var form = await SegmentationApi.ReadFormAsync(context, ct);
            var image = SegmentationApi.ImagePart(form);
            var settings = ApiRuns.ParseSettings(form["settings"].FirstOrDefault());
            var axes = ReadAxes(form[AxesPart].FirstOrDefault());
            var truth = await SegmentationApi.OptionalPartAsync(form, TruthPart, ct);
            using var bytes = new MemoryStream();
            await using (var stream = image.OpenReadStream()) await stream.CopyToAsync(bytes, ct);
            var accepted = await sweeps.StartAsync(new SweepRequest(bytes.ToArray(), image.FileName, settings, axes, truth), ct);
            return Results.Accepted(accepted.Status, accepted);
        }
        catch (ApiProblem problem) { return problem.ToResult(context); }
    }

    private static IReadOnlyList<SweepAxis> ReadAxes(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) throw SweepRunner.Refused("The request has no part \"axes\": a JSON object such as {\"window\":[1,3,5],\"heads\":[1,2,4]}.");
        try
        {
            return JsonNode.Parse(json) is JsonObject axes ? SweepAxes.Read(axes)
                : throw SweepRunner.Refused("The axes must be a JSON object such as {\"window\":[1,3,5],\"heads\":[1,2,4]}.");
        }
        catch (JsonException e) { throw SweepRunner.Refused($"The axes are not valid JSON: {e.Message}"); }
        catch (ArgumentException e) { throw SweepRunner.Refused(e.Message); }
    }

    private static ApiProblem NotFound(string id) => new(StatusCodes.Status404NotFound, "No such sweep", $"There is no sweep \"{id}\".");
}

/// <summary>The multipart form of <c>POST /api/sweeps</c>, as the OpenAPI document describes it.</summary>
public sealed class SweepUpload
{
    /// <summary>The image: PNG, JPEG, BMP, GIF or WebP.</summary>
    public required IFormFile Image { get; init; }

    /// <summary>JSON object with the settings every run shares (the run report's parameter names), e.g. {"epochs":3}.</summary>
    public string? Settings { get; init; }

    /// <summary>JSON object: setting → list of values, or {"from","to","step"}; at most three settings.</summary>
    public required string Axes { get; init; }

    /// <summary>Optional ground truth: a label PNG of the image's size (each distinct value one segment).</summary>
    public IFormFile? Truth { get; init; }
}
