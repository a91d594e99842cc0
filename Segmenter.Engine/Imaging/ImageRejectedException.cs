namespace Segmenter.Engine.Imaging;

/// <summary>
/// The one error for every image the app will not or cannot use. Its message is written for a person
/// (the UI and the CLI show it as it is), e.g. "The file is not an image this app can read (PNG, JPEG, BMP, GIF, WebP)".
/// </summary>
public sealed class ImageRejectedException : Exception
{
    public ImageRejectedException(string message, Exception? inner = null) : base(message, inner) { }
}
