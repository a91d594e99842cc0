using Segmenter.Engine.Imaging;

namespace Segmenter.Web.Store;

/// <summary>The files of a stored run under its permanent link: <c>/runs/{id}/original</c>, <c>segmented.png</c>, <c>labels.png</c>, <c>thumbnail.png</c>, <c>report.json</c>, <c>strokes.png</c> (a run steered by strokes).</summary>
public static class RunEndpoints
{
    public static string FileName(RunFile file) => file switch
    {
        RunFile.Original => "original",
        RunFile.Segmented => "segmented.png",
        RunFile.Labels => "labels.png",
        RunFile.Thumbnail => "thumbnail.png",
        RunFile.Strokes => "strokes.png",
        _ => "report.json",
    };

    public static IEndpointRouteBuilder MapRunFiles(this IEndpointRouteBuilder app)
    {
        app.MapGet(AppUrls.RunFileRoute, async (string id, string file, RunStore store, CancellationToken ct) =>
        {
            var which = Enum.GetValues<RunFile>().Cast<RunFile?>().FirstOrDefault(f => FileName(f!.Value) == file);
            if (which is not { } kind) return Results.NotFound();
            if (kind == RunFile.Labels)
            {
                var view = await store.GetAsync(id, ct);
                var labels = view is null ? null : await store.GetLabelsAsync(id, ct);
                return labels is null ? Results.NotFound()
                    : Results.File(ImageLoader.EncodeLabelPng(labels, view!.Summary.Width, view.Summary.Height), "image/png", $"{Stem(view)}-labels.png");
            }
            var found = await store.GetFileAsync(id, kind, ct);
            if (found is not { } f) return Results.NotFound();
            string? download = kind switch
            {
                RunFile.Segmented => "segmented.png",
                RunFile.Report => "report.json",
                RunFile.Strokes => "strokes.png",
                _ => null,
            };
            // Stored runs never change: browsers may keep their files.
            return Results.File(f.Bytes, f.ContentType, download is null ? null : $"{id}-{download}", lastModified: null,
                entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{id}-{file}\""));
        });
        return app;
    }

    private static string Stem(StoredRunView view) => Path.GetFileNameWithoutExtension(view.Summary.ImageName ?? "image") is { Length: > 0 } s ? s : "image";
}
