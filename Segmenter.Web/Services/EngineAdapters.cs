using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>The pipeline as the web layer sees it; the default calls the engine, tests substitute a fake.</summary>
public interface ISegmentationEngine
{
    SegmentationResult Run(RgbImage image, SegmentationParameters parameters, Action<PipelineEvent>? progress, CancellationToken cancellationToken);
}

/// <summary>Image decoding and encoding as the web layer sees it; the default calls the engine's <see cref="ImageLoader"/>.</summary>
public interface IImageCodec
{
    Task<MemoryStream> ReadBoundedAsync(Stream stream, long maxBytes, CancellationToken cancellationToken);
    RgbImage Load(Stream stream, ImageLimits limits, CancellationToken cancellationToken);
    byte[] EncodePng(RgbImage image);
    byte[] EncodeLabelPng(byte[] labels, int width, int height);
}

public sealed class EngineSegmentation : ISegmentationEngine
{
    public SegmentationResult Run(RgbImage image, SegmentationParameters parameters, Action<PipelineEvent>? progress, CancellationToken cancellationToken)
        => SegmentationPipeline.Run(image, parameters, progress, cancellationToken);
}

public sealed class EngineImageCodec : IImageCodec
{
    public Task<MemoryStream> ReadBoundedAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
        => ImageLoader.ReadBoundedAsync(stream, maxBytes, cancellationToken);

    public RgbImage Load(Stream stream, ImageLimits limits, CancellationToken cancellationToken)
        => ImageLoader.Load(stream, limits, cancellationToken);

    public byte[] EncodePng(RgbImage image)
    {
        using var ms = new MemoryStream();
        ImageLoader.SavePng(image, ms);
        return ms.ToArray();
    }

    public byte[] EncodeLabelPng(byte[] labels, int width, int height)
    {
        using var ms = new MemoryStream();
        ImageLoader.SaveLabelPng(labels, width, height, ms);
        return ms.ToArray();
    }
}
