using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// The model's input windows against windows built by hand on a 4×3 image whose pixel i (row-major, i = 4y + x) has
/// its own colour. Tokens run row by row over the window, the centre token (index T/2) is the pixel itself, and
/// edges reflect without repeating the edge pixel (torch's "reflect" padding: …, 2, 1, | 0, 1, 2, | 1, 0, …).
/// </summary>
public class PixelWindowsTests
{
    private const int W = 4, H = 3;

    /// <summary>Pixel i = (20·i, 255 − 20·i, i + 1): every pixel different on every channel.</summary>
    private static readonly RgbImage Image = new(W, H, Enumerable.Range(0, W * H)
        .SelectMany(i => new[] { (byte)(20 * i), (byte)(255 - 20 * i), (byte)(i + 1) }).ToArray());

    /// <summary>(x, y, window, the window's pixel indices row by row), written out by hand.</summary>
    public static TheoryData<int, int, int, int[]> HandBuilt => new()
    {
        // window 1: the pixel alone
        { 2, 1, 1, [6] },
        // window 3, interior: rows 0..2, columns 0..2 and 1..3
        { 1, 1, 3, [0, 1, 2, /**/ 4, 5, 6, /**/ 8, 9, 10] },
        { 2, 1, 3, [1, 2, 3, /**/ 5, 6, 7, /**/ 9, 10, 11] },
        // window 3, the four corners: row −1 → 1, row 3 → 1, column −1 → 1, column 4 → 2
        { 0, 0, 3, [5, 4, 5, /**/ 1, 0, 1, /**/ 5, 4, 5] },
        { 3, 0, 3, [6, 7, 6, /**/ 2, 3, 2, /**/ 6, 7, 6] },
        { 0, 2, 3, [5, 4, 5, /**/ 9, 8, 9, /**/ 5, 4, 5] },
        { 3, 2, 3, [6, 7, 6, /**/ 10, 11, 10, /**/ 6, 7, 6] },
        // window 3, the four edges away from corners
        { 1, 0, 3, [4, 5, 6, /**/ 0, 1, 2, /**/ 4, 5, 6] },   // top
        { 2, 2, 3, [5, 6, 7, /**/ 9, 10, 11, /**/ 5, 6, 7] },  // bottom
        { 0, 1, 3, [1, 0, 1, /**/ 5, 4, 5, /**/ 9, 8, 9] },    // left
        { 3, 1, 3, [2, 3, 2, /**/ 6, 7, 6, /**/ 10, 11, 10] }, // right
        // window 5: two steps out (row −2 → 2, row 3 → 1, row 4 → 0; column −2 → 2, −1 → 1, 4 → 2, 5 → 1)
        { 0, 0, 5, [10, 9, 8, 9, 10, /**/ 6, 5, 4, 5, 6, /**/ 2, 1, 0, 1, 2, /**/ 6, 5, 4, 5, 6, /**/ 10, 9, 8, 9, 10] },
        { 3, 1, 5, [5, 6, 7, 6, 5, /**/ 1, 2, 3, 2, 1, /**/ 5, 6, 7, 6, 5, /**/ 9, 10, 11, 10, 9, /**/ 5, 6, 7, 6, 5] },
        { 1, 2, 5, [1, 0, 1, 2, 3, /**/ 5, 4, 5, 6, 7, /**/ 9, 8, 9, 10, 11, /**/ 5, 4, 5, 6, 7, /**/ 1, 0, 1, 2, 3] },
    };

    [Theory]
    [MemberData(nameof(HandBuilt))]
    public void A_window_is_the_hand_built_neighbourhood(int x, int y, int window, int[] pixels)
    {
        var windows = new PixelWindows(Image, window);
        Assert.Equal(window * window, windows.Tokens);
        Assert.Equal(y * W + x, pixels[windows.Tokens / 2]); // the hand-built centre is the pixel itself
        var actual = new float[windows.FloatsPerItem];
        windows.Fill([y * W + x], actual);
        Assert.Equal(Bytes(pixels), AsBytes(actual));
    }

    /// <summary>Several pixels in one call come out one window after another, in the order asked.</summary>
    [Fact]
    public void Several_pixels_fill_consecutive_windows_in_the_order_given()
    {
        var windows = new PixelWindows(Image, 3);
        var actual = new float[3 * windows.FloatsPerItem];
        windows.Fill([11, 0, 6], actual);
        Assert.Equal(Bytes([6, 7, 6, 10, 11, 10, 6, 7, 6, /**/ 5, 4, 5, 1, 0, 1, 5, 4, 5, /**/ 1, 2, 3, 5, 6, 7, 9, 10, 11]), AsBytes(actual));
    }

    /// <summary>The RGB bytes of the given pixels, one after another.</summary>
    private static byte[] Bytes(int[] pixels) => pixels.SelectMany(i => Image.Pixels.AsSpan(3 * i, 3).ToArray()).ToArray();

    /// <summary>The model's RGB/255 floats back to bytes; each must be within float rounding of a byte value.</summary>
    private static byte[] AsBytes(float[] values) => values.Select(v =>
    {
        double b = v * 255.0;
        Assert.InRange(b - Math.Round(b), -1e-3, 1e-3);
        return (byte)Math.Round(b);
    }).ToArray();
}
