using Segmenter.Engine.Imaging;

namespace Segmenter.Web.Services;

public static class Thumbnails
{
    /// <summary>A nearest-neighbour copy whose longer side is at most <paramref name="maxSide"/> (the image itself when already small).</summary>
    public static RgbImage Shrink(RgbImage image, int maxSide = 160)
    {
        int longer = Math.Max(image.Width, image.Height);
        if (longer <= maxSide) return image;
        double scale = (double)maxSide / longer;
        int w = Math.Max(1, (int)Math.Round(image.Width * scale)), h = Math.Max(1, (int)Math.Round(image.Height * scale));
        var src = image.Pixels;
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            int sy = Math.Min(image.Height - 1, (int)((y + 0.5) * image.Height / h));
            for (int x = 0; x < w; x++)
            {
                int sx = Math.Min(image.Width - 1, (int)((x + 0.5) * image.Width / w));
                int s = 3 * (sy * image.Width + sx), d = 3 * (y * w + x);
                px[d] = src[s]; px[d + 1] = src[s + 1]; px[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(w, h, px);
    }

    public static string DataUrl(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}
