using System.Text.Json.Nodes;
using Segmenter.Bench.Docs;
using Segmenter.Web.Api;

namespace Segmenter.Web.Tests.Docs;

/// <summary>
/// The OpenAPI document the app serves at /openapi/v1.json: the public API alone, every operation named and described,
/// the API key scheme declared, clean under Redocly's recommended rules, and the same as docs/openapi.json, the file
/// clients (and the tests' generated client) are built from.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    private static async Task<JsonNode> ServedAsync(IDictionary<string, string?>? settings = null)
    {
        await using var host = new ApiHost(settings);
        return JsonNode.Parse(await host.CreateClient().GetStringAsync(SegmentationApi.OpenApiPath))!;
    }

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(m => Methods.Contains(m.Key)).Select(m => (path.Key, m.Key, m.Value!.AsObject())));

    [Fact]
    public async Task The_document_lists_the_public_api_and_none_of_the_pages_urls()
    {
        var document = await ServedAsync();
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();

        string[] api = ["/api/segmentations", "/api/segmentations/{id}", "/api/segmentations/{id}/labels.png",
            "/api/segmentations/{id}/report.json", "/api/segmentations/{id}/segmented.png", "/api/segmentations/{id}/strokes.png",
            "/api/sweeps", "/api/sweeps/{id}"];
        Assert.Subset(paths.ToHashSet(), api.ToHashSet());
        Assert.All(paths, p => Assert.True(p.StartsWith(AppUrls.ApiRoute) || p.StartsWith(AppUrls.SweepApiRoute), p));
        Assert.DoesNotContain(paths, p => p.StartsWith("/image/") || p.StartsWith("/download/") || p.StartsWith("/runs/") || p.StartsWith("/sweeps/")
            || p.StartsWith("/samples/") || p == "/healthz");
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_summary_a_description_responses_and_the_key_scheme()
    {
        var document = await ServedAsync();
        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 7, $"Only {operations.Count} operations in the document.");

        var ids = operations.Select(o => (string?)o.Operation["operationId"]).ToList();
        Assert.All(ids, id => Assert.False(string.IsNullOrWhiteSpace(id)));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var (path, method, operation) in operations)
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["description"]), $"{name} has no description");
            var responses = operation["responses"]!.AsObject();
            Assert.Contains(responses, r => r.Key.StartsWith('2'));
            Assert.Contains(responses, r => r.Key == "401");
            Assert.All(responses.Where(r => r.Key[0] is '4' or '5'),
                r => Assert.NotNull(r.Value!["content"]?["application/problem+json"]));
            var security = operation["security"]!.AsArray();
            Assert.Contains(security, s => s!.AsObject().ContainsKey(ApiDocument.ApiKeyScheme));
        }

        var scheme = document["components"]!["securitySchemes"]![ApiDocument.ApiKeyScheme]!;
        Assert.Equal("apiKey", (string?)scheme["type"]);
        Assert.Equal("header", (string?)scheme["in"]);
        Assert.Equal(SegmentationApi.ApiKeyHeader, (string?)scheme["name"]);
    }

    [Fact]
    public async Task The_key_is_optional_on_an_open_server_and_required_on_a_server_with_keys()
    {
        static IEnumerable<JsonArray> Security(JsonNode document) => Operations(document).Select(o => o.Operation["security"]!.AsArray());

        var open = await ServedAsync();
        Assert.All(Security(open), s => Assert.Contains(s, r => r!.AsObject().Count == 0));

        var locked = await ServedAsync(new Dictionary<string, string?> { ["Segmenter:ApiKeys:0"] = "k-1" });
        Assert.All(Security(locked), s => Assert.DoesNotContain(s, r => r!.AsObject().Count == 0));
    }

    [Fact]
    public async Task The_committed_document_is_the_served_one()
    {
        var served = await ServedAsync();
        var file = DocTools.PathOf(ApiDescriptionFile.RelativePath);
        Assert.True(File.Exists(file), $"{file} is missing: run `dotnet run --project Segmenter.Bench -- docs`.");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(file));
        Assert.True(JsonNode.DeepEquals(served, committed),
            $"{ApiDescriptionFile.RelativePath} differs from the document the app serves: run `dotnet run --project Segmenter.Bench -- docs`, " +
            "then regenerate the client (docs/api.md).");
        Assert.Equal(ApiDescriptionFile.Text(served), await File.ReadAllTextAsync(file));
    }

    [SkippableFact]
    public async Task The_served_document_passes_redoclys_recommended_rules_without_a_warning()
    {
        DocTools.Require(File.Exists(DocTools.Redocly), "Redocly CLI", DocTools.InstallRedocly);
        var folder = Directory.CreateTempSubdirectory("segmenter-lint-").FullName;
        try
        {
            var file = Path.Combine(folder, "openapi.json");
            await File.WriteAllTextAsync(file, (await ServedAsync()).ToJsonString());
            var (exit, output) = DocTools.Run(DocTools.Redocly, ["lint", file, "--extends", "recommended", "--format", "json"], folder,
                TimeSpan.FromMinutes(3), new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });
            var json = output[output.IndexOf('{')..(output.LastIndexOf('}') + 1)];
            var totals = JsonNode.Parse(json)!["totals"]!;
            Assert.True((int)totals["errors"]! == 0 && (int)totals["warnings"]! == 0 && exit == 0, $"redocly lint (exit {exit}):\n{output}");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
