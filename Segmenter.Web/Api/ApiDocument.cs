using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Segmenter.Web.Services;
using Segmenter.Web.Sweeps;

namespace Segmenter.Web.Api;

/// <summary>
/// What the OpenAPI document (<c>/openapi/v1.json</c>) says beyond the endpoints' own metadata: it describes the
/// public API alone (the page's session images, downloads, samples and run links are URLs of the page, not of the
/// API), names and licenses it, and declares the <c>X-Api-Key</c> scheme the API's key filter checks. A client is
/// generated from this document (docs/api.md), so what it says is what clients are built against.
/// </summary>
public static class ApiDocument
{
    public const string Title = "Segmenter HTTP API";
    public const string Version = "v1";
    public const string ApiKeyScheme = "ApiKey";
    public const string SubmitOperation = "submitSegmentation";

    public static void Configure(OpenApiOptions options)
    {
        string[] apis = [AppUrls.ApiRoute.TrimStart('/'), AppUrls.SweepApiRoute.TrimStart('/')];
        options.ShouldInclude = d => d.RelativePath is { } path && apis.Any(api => path == api || path.StartsWith(api + "/", StringComparison.Ordinal));
        options.AddDocumentTransformer((document, context, _) =>
        {
            var keysRequired = context.ApplicationServices.GetRequiredService<IOptions<SegmenterOptions>>().Value.ApiKeys.Length > 0;
            Describe(document, keysRequired);
            return Task.CompletedTask;
        });
    }

    private static void Describe(OpenApiDocument document, bool keysRequired)
    {
        document.Info = new OpenApiInfo
        {
            Title = Title,
            Version = Version,
            Description = "Unsupervised image segmentation for scripts and notebooks: post an image, poll its run, fetch the label map, " +
                          "the segmented image and the run report. Runs go through the same queue and limits as the page, and every " +
                          "run is stored: its id also opens it in the browser at `/runs/{id}`. Errors are RFC 7807 problem details.",
            License = new OpenApiLicense { Name = "MIT", Url = new Uri("https://opensource.org/license/mit") },
        };
        // Relative to wherever the document was fetched from: the same app serves the API, whatever its host and port.
        document.Servers = [new OpenApiServer { Url = "/", Description = "The server this document was fetched from" }];
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = SegmentationApi.Tag, Description = "Queue a segmentation, follow it, fetch its files, cancel or delete it." },
            new() { Name = SweepEndpoints.Tag, Description = "Queue a grid of segmentations (up to three settings' values), follow every run, cancel the rest." },
        };

        var scheme = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = SegmentationApi.ApiKeyHeader,
            Description = "One of the server's keys (`Segmenter:ApiKeys`). A server without keys leaves the API open.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme> { [ApiKeyScheme] = scheme };
        var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] };
        // Without keys on the server the key is optional: the empty requirement says "or none".
        List<OpenApiSecurityRequirement> security = keysRequired ? [requirement] : [requirement, new OpenApiSecurityRequirement()];
        // What the minimal API metadata cannot say: where to poll, and when to try again.
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            if (operation.OperationId is SubmitOperation or SweepEndpoints.SubmitOperation)
                Header(operation, StatusCodes.Status202Accepted, "Location",
                    operation.OperationId == SubmitOperation ? "The run's status URL, to poll with GET." : "The sweep's status URL, to poll with GET.", JsonSchemaType.String);
            Header(operation, StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds to wait before posting again.", JsonSchemaType.Integer);
        }

        // Every operation in the document is under the API's group, whose filter checks the key.
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
            operation.Security = security;
    }

    private static void Header(OpenApiOperation operation, int status, string name, string description, JsonSchemaType type)
    {
        if (operation.Responses?.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var found) != true
            || found is not OpenApiResponse response) return;
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
    }
}
