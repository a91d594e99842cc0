using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Web;

/// <summary>
/// Every URL of the app in one place: the route templates the endpoints map and the links pages, panels and the API
/// write. Links are relative to the page's base (<c>&lt;base href="/"&gt;</c>); the API answers root-relative ones
/// (<see cref="Rooted"/>). The cache-busting query of a session's image or download carries the version and view.
/// </summary>
public static class AppUrls
{
    public const string SampleRoute = "/samples/{file}";
    public const string SessionImageRoute = "/image/{sessionId}/{which}.png";
    public const string SessionDownloadRoute = "/download/{sessionId}/{file}";
    public const string RunPageRoute = "/runs/{Id}";
    public const string RunFileRoute = "/runs/{id}/{file}";
    public const string ApiRoute = "/api/segmentations";
    public const string SweepPageRoute = "/sweeps/{Id}";
    public const string SweepApiRoute = "/api/sweeps";
    public const string SweepCsvRoute = "/sweeps/{id}/sweep.csv";

    /// <summary>An embedded sample image.</summary>
    public static string Sample(string file) => $"samples/{Uri.EscapeDataString(file)}";

    /// <summary>One of a session's images ("original", "segmented", a cluster highlight…), refetched when the image, result or view changes.</summary>
    public static string SessionImage(SessionFiles session, ResultImage which)
        => $"image/{session.Id}/{which.Name}.png?v={session.Version}&view={session.View}";

    /// <summary>One of a session's downloads (segmented.png, labels.png, report.json), refetched when the result or view changes.</summary>
    public static string SessionDownload(SessionFiles session, string file)
        => $"download/{session.Id}/{file}?v={session.Version}&view={session.View}";

    /// <summary>The session's history as CSV; <paramref name="rows"/> busts the cache when the history grows.</summary>
    public static string HistoryCsv(SessionFiles session, int rows) => $"download/{session.Id}/history.csv?n={rows}";

    /// <summary>A stored run's permanent page (<see cref="RunPageRoute"/>).</summary>
    public static string Run(string id) => $"runs/{id}";

    /// <summary>A stored run's file under its permanent link.</summary>
    public static string RunFileUrl(string id, RunFile file) => $"{Run(id)}/{RunEndpoints.FileName(file)}";

    /// <summary>An API run's status (root-relative, as the API answers it).</summary>
    public static string ApiRun(string id) => $"{ApiRoute}/{id}";

    /// <summary>An API run's file (labels.png, segmented.png, report.json).</summary>
    public static string ApiRunFile(string id, string file) => $"{ApiRun(id)}/{file}";

    /// <summary>A stored sweep's page (<see cref="SweepPageRoute"/>).</summary>
    public static string Sweep(string id) => $"sweeps/{id}";

    /// <summary>A sweep's status in the API (root-relative).</summary>
    public static string ApiSweep(string id) => $"{SweepApiRoute}/{id}";

    /// <summary>A base-relative link made root-relative, for answers read outside the page.</summary>
    public static string Rooted(string relative) => "/" + relative;
}
