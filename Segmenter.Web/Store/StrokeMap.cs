using Segmenter.Engine.Steering;

namespace Segmenter.Web.Store;

/// <summary>
/// The strokes a run was steered by (issue 15): the brushes used, the pixels they cover, and the brush of every
/// pixel (row-major, 0 = none), deflated and base64-encoded. It travels inside <see cref="RunDetails"/>' JSON rather
/// than in a column of its own: a stroke map is almost all zeros (a 512² one packs to well under a kilobyte), and
/// stores written before strokes were kept read on unchanged (no migration, SQLite and PostgreSQL alike). Served
/// back as <c>strokes.png</c>, the label PNG the API's <c>scribbles</c> part takes, so a stored run's strokes replay.
/// </summary>
public sealed record StrokeMap(int[] Brushes, long StrokedPixels, string Deflated)
{
    public static StrokeMap Of(Scribbles strokes)
        => new(strokes.Brushes(), strokes.StrokedPixels, Convert.ToBase64String(RunCodec.Deflate(strokes.BrushOfPixel)));

    /// <summary>The brush of every pixel of a <paramref name="width"/> × <paramref name="height"/> run.</summary>
    public byte[] BrushOfPixel(int width, int height) => RunCodec.Inflate(Convert.FromBase64String(Deflated), width * height);
}
