using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>A live preview as the page shows it: the engine's frame encoded as a PNG data URL (a few KB at 128 px).</summary>
public sealed record PreviewImage(int Epoch, int Width, int Height, string DataUrl)
{
    public static PreviewImage From(PreviewFrame frame)
        => new(frame.Epoch, frame.Width, frame.Height, Thumbnails.DataUrl(ImageLoader.EncodePng(frame.ToImage())));
}
