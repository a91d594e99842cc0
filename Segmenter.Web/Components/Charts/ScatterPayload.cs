using System.Runtime.InteropServices;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Components.Charts;

/// <summary>
/// What charts.js needs for the 3D scatters of one result, built once per result: the sample's bytes as they are
/// (byte[] travels as binary over the circuit), float arrays as their raw little-endian bytes, and a small
/// per-cluster description (index, chart colour, share, mean colour).
/// </summary>
public sealed record ScatterPayload(byte[] Rgb, byte[] Labels, byte[] Codes3, byte[] Centres3, IReadOnlyList<ClusterMeta> Clusters)
{
    /// <summary>
    /// The payload of one plot: the colour plot places its points by their RGB and needs no codes, so it gets
    /// empty code arrays instead of a second copy of the codes over the circuit.
    /// </summary>
    public static ScatterPayload Of(SegmentationResult result, bool withCodes = true)
    {
        var p = result.Plot;
        return withCodes
            ? new ScatterPayload(p.Rgb, p.Labels, MemoryMarshal.AsBytes(p.Codes3.AsSpan()).ToArray(), MemoryMarshal.AsBytes(p.Centres3.AsSpan()).ToArray(), ClusterMeta.Of(result))
            : new ScatterPayload(p.Rgb, p.Labels, [], [], ClusterMeta.Of(result));
    }
}

/// <summary>A cluster as the charts show it; <see cref="Colour"/> is its palette colour, the one every chart uses.</summary>
public sealed record ClusterMeta(int Index, string Colour, double Share, long Count, int[] Mean)
{
    public static IReadOnlyList<ClusterMeta> Of(SegmentationResult result)
        => result.Clusters.Select(c => new ClusterMeta(c.Index, ClusterPalette.Hex(c.Index), c.Share, c.PixelCount, [c.R, c.G, c.B])).ToArray();
}
