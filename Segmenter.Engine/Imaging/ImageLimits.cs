namespace Segmenter.Engine.Imaging;

/// <summary>What the loader accepts before it decodes a single pixel.</summary>
public sealed record ImageLimits
{
    public static ImageLimits Default { get; } = new();

    /// <summary>Largest image, in pixels (width × height). Default 40 megapixels.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>Largest encoded file, in bytes. Default 64 MiB.</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Longest a decode may take before it is abandoned.</summary>
    public TimeSpan DecodeTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
