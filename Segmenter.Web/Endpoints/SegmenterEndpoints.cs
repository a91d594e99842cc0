using Segmenter.Web.Api;
using Segmenter.Web.Operations;
using Segmenter.Web.Services;
using Segmenter.Web.Store;
using Segmenter.Web.Sweeps;

namespace Segmenter.Web;

/// <summary>
/// Every endpoint besides the pages, registered in one call; each group's Map calls are in this folder: health
/// (<c>HealthEndpoint.cs</c>), the HTTP API (<c>SegmentationApi.cs</c>), stored runs' files (<c>RunEndpoints.cs</c>), and
/// below the samples and a session's images and downloads.
/// </summary>
public static class SegmenterEndpoints
{
    public static WebApplication MapSegmenterEndpoints(this WebApplication app)
    {
        app.MapSegmenterHealth();
        app.MapSegmenterApi();
        app.MapSweepApi();
        app.MapRunFiles();

        app.MapGet(AppUrls.SampleRoute, (string file, SampleImages samples) =>
            samples.FileFor(file) is { } f && samples.Open(f) is { } stream
                ? Results.Stream(stream, SampleImages.ContentType(f))
                : Results.NotFound());

        app.MapGet(AppUrls.SessionImageRoute, (string sessionId, string which, SessionRegistry sessions) =>
            ResultImage.Parse(which) is { } image && sessions.Find(sessionId)?.GetImageFile(image) is { } f
                ? Results.File(f.Bytes, f.ContentType) : Results.NotFound());

        app.MapGet(AppUrls.SessionDownloadRoute, (string sessionId, string file, SessionRegistry sessions) =>
            sessions.Find(sessionId) is { } session ? Download(session, file) : Results.NotFound());
        return app;
    }

    private static IResult Download(SessionFiles session, string file)
        => session.Download(file) is { } f ? Results.File(f.Bytes, f.ContentType, f.FileName) : Results.NotFound();
}
