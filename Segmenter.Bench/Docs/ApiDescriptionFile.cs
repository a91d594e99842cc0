using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Segmenter.Web.Api;

namespace Segmenter.Bench.Docs;

/// <summary>
/// docs/openapi.json: the OpenAPI document the app serves at <see cref="SegmentationApi.OpenApiPath"/>, fetched from the
/// real app in process (default settings, a throwaway data folder) and written indented, so that clients can be
/// generated from the repository and a test can tell when the served document and the committed one differ.
/// </summary>
internal static class ApiDescriptionFile
{
    public static string RelativePath => Path.Combine("docs", "openapi.json");

    public static async Task<JsonNode> ServedAsync()
    {
        var data = Directory.CreateTempSubdirectory("segmenter-openapi-").FullName;
        try
        {
            await using var app = new WebApplicationFactory<global::Program>().WithWebHostBuilder(web =>
            {
                web.UseSetting("Segmenter:DataFolder", data);
                web.UseSetting("Logging:LogLevel:Default", "Warning");
            });
            using var client = app.CreateClient();
            return JsonNode.Parse(await client.GetStringAsync(SegmentationApi.OpenApiPath))!;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The file's text: indented, non-ASCII characters as they are, one newline at the end.</summary>
    public static string Text(JsonNode document) =>
        document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
}
