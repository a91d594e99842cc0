using System.Text;
using Segmenter.Engine.Imaging;
using Segmenter.Web.Store;

namespace Segmenter.Web.Services;

/// <summary>
/// What a session serves over plain HTTP (scoped: one per circuit, found by its unguessable <see cref="Id"/> in the
/// <see cref="SessionRegistry"/>): its images (<see cref="ResultImage"/>) and its downloads. The original is served as
/// uploaded, the mean-colour segmentation from the store once the result is stored, every other image encoded once.
/// </summary>
public sealed class SessionFiles : IDisposable
{
    private readonly SessionGate _gate;
    private readonly SessionImage _images;
    private readonly CurrentResult _current;
    private readonly SessionAssessment _assessment;
    private readonly RunHistory _history;
    private readonly SessionMemory _memory;
    private readonly SessionRegistry _registry;
    private readonly RunStore? _store;

    public SessionFiles(SessionGate gate, SessionImage images, CurrentResult current, SessionAssessment assessment, RunHistory history,
        SessionMemory memory, SessionRegistry registry, RunStore? store = null)
    {
        (_gate, _images, _current, _assessment, _history, _memory, _registry, _store) = (gate, images, current, assessment, history, memory, registry, store);
        registry.Add(this);
    }

    /// <summary>Unguessable id used in the image and download URLs.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Bumped whenever the image or the result changes, so image URLs change and browsers refetch.</summary>
    public int Version => _current.Version;

    /// <summary>The view the segmented image is shown in (part of its URL, so a new view is fetched).</summary>
    public ResultView View => _current.View;

    /// <summary>The download's file name stem, from the image's name.</summary>
    public string FileStem => _images.FileStem;

    /// <summary>The PNG of one of the session's images (the segmented one in the current view); null when unavailable.</summary>
    public byte[]? GetPng(ResultImage which)
    {
        if (_gate.Ended) return null;
        var png = _current.GetPng(which) ?? (_assessment.Draw(which) is { } drawn ? ImageLoader.EncodePng(drawn) : null);
        if (png is not null) _memory.Touch();
        return png;
    }

    /// <summary>
    /// An image for the page: the original as uploaded (no re-encoding; from the store once a run stored it), the
    /// mean-colour segmentation from the store when the current result is stored, else <see cref="GetPng"/>'s PNG.
    /// </summary>
    public (byte[] Bytes, string ContentType)? GetImageFile(ResultImage which)
    {
        if (_gate.Ended) return null;
        _memory.Touch();
        if (which == ResultImage.Original && _images.OriginalBytes() is { } original
            && RunCodec.ContentTypeOf(original) is var type && type.StartsWith("image/", StringComparison.Ordinal))
            return (original, type);
        if (which.In(_current.View) == ResultImage.MeanColours && _current.StoredId is { } storedId
            && _store?.GetFileAsync(storedId, RunFile.Segmented).GetAwaiter().GetResult() is { } segmented)
            return segmented;
        return GetPng(which) is { } png ? (png, "image/png") : null;
    }

    /// <summary>The run report JSON of the current result, or null.</summary>
    public string? GetReportJson() => _current.ReportJson();

    /// <summary>A download by its file name (segmented.png, labels.png, history.csv, report.json) with its content type and saved name; null when unavailable.</summary>
    public (byte[] Bytes, string ContentType, string FileName)? Download(string file)
    {
        var stem = FileStem;
        return file switch
        {
            "segmented.png" when GetPng(ResultImage.Segmented) is { } png => (png, "image/png", $"{stem}-segmented.png"),
            "labels.png" when GetPng(ResultImage.Labels) is { } png => (png, "image/png", $"{stem}-labels.png"),
            "history.csv" => (Encoding.UTF8.GetBytes(_history.ToCsv()), "text/csv", $"{stem}-history.csv"),
            "report.json" when GetReportJson() is { } json => (Encoding.UTF8.GetBytes(json), "application/json", $"{stem}-report.json"),
            _ => null,
        };
    }

    public void Dispose() => _registry.Remove(this);
}
