using Segmenter.Engine.Steering;

namespace Segmenter.Web.Store;

/// <summary>
/// The strokes a run was steered by: the brushes used, the pixels they cover, and the brush of every pixel
/// (row-major, 0 = none), deflated and base64-encoded. It travels inside <see cref="RunDetails"/>' JSON rather than in
/// a column of its own: a stroke map is almost all zeros (a 512² one packs to well under a kilobyte), and a run
/// without strokes reads the same with no column to migrate (SQLite and PostgreSQL alike). Served
/// back as <c>strokes.png</c>, the label PNG the API's <c>scribbles</c> part takes, so a stored run's strokes replay.
/// </summary>
public sealed record StrokeMap(int[] Brushes, long StrokedPixels, string Deflated)
{
    public static StrokeMap Of(Scribbles strokes)
        => new(strokes.Brushes(), strokes.StrokedPixels, Convert.ToBase64String(RunCodec.Deflate(strokes.BrushOfPixel)));

    /// <summary>The brush of every pixel of a <paramref name="width"/> × <paramref name="height"/> run.</summary>
    public byte[] BrushOfPixel(int width, int height) => RunCodec.Inflate(Convert.FromBase64String(Deflated), width * height);
}
