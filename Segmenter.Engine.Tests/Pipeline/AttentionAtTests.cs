using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// <see cref="Segmenter.Engine.Pipeline.TrainedModel.AttentionAt(int, int)"/> must show the clicked pixel's own window — not a transposed or a
/// neighbouring one — with its tokens in row-major order and the edges reflected. Checked through the public API
/// only, from what attention is: the centre token's query against one key per window token, then a softmax. Changing
/// one pixel changes only the keys of the window positions that show it, so the weights of every other position are
/// all scaled by the same factor (the softmax's new normaliser), while the positions showing the pixel move on their
/// own; a pixel outside the window changes nothing at all.
/// </summary>
public class AttentionAtTests(AttentionAtTests.TrainedModel trained) : IClassFixture<AttentionAtTests.TrainedModel>
{
    private const int W = 9, H = 7, Window = 5, Tokens = Window * Window;

    public static TheoryData<int, int> Clicks => new()
    {
        { 4, 3 },                               // interior
        { 0, 0 }, { 8, 0 }, { 0, 6 }, { 8, 6 }, // the four corners
        { 1, 5 }, { 7, 2 }, { 3, 0 }, { 0, 4 }, // near and on the edges
    };

    /// <summary>One small window-5 model on a 9×7 noise image, trained once for the class and disposed after it.</summary>
    public sealed class TrainedModel : IDisposable
    {
        public TrainedModel()
        {
            var rng = new Random(3);
            Image = new RgbImage(W, H, Enumerable.Range(0, W * H * 3).Select(_ => (byte)rng.Next(256)).ToArray());
            var p = SegmentationParameters.ForPreset(Preset.Fast) with { Window = Window, Heads = 2, Epochs = 2, Clusters = 2 };
            Result = SegmentationPipeline.Run(Image, p);
        }

        public RgbImage Image { get; }
        public SegmentationResult Result { get; }
        public void Dispose() => Result.Model!.Dispose();
    }

    [Theory]
    [MemberData(nameof(Clicks))]
    public void Only_the_pixels_of_the_clicked_window_move_the_weights_of_their_own_positions(int x, int y)
    {
        var (image, result) = (trained.Image, trained.Result);
        var before = result.Model!.AttentionAt(image, x, y)!;
        Assert.Equal(2, before.Length);
        Assert.All(before, head => Assert.Equal(Tokens, head.Length));

        int[] shownAt = WindowPixels(x, y); // position t shows pixel shownAt[t]
        for (int q = 0; q < W * H; q++)
        {
            if (q == y * W + x) continue; // the centre is also the query: every weight moves
            var after = result.Model!.AttentionAt(WithPixelChanged(image, q), x, y)!;
            var positions = Enumerable.Range(0, Tokens).Where(t => shownAt[t] == q).ToHashSet();
            string where = $"click ({x},{y}), pixel ({q % W},{q / W})";
            if (positions.Count == 0)
            {
                for (int h = 0; h < before.Length; h++) Assert.True(before[h].SequenceEqual(after[h]), $"{where}: outside the window, yet head {h} changed");
                continue;
            }
            bool movedAlone = false;
            for (int h = 0; h < before.Length; h++)
            {
                var ratios = Enumerable.Range(0, Tokens).Select(t => (double)after[h][t] / before[h][t]).ToArray();
                var others = Enumerable.Range(0, Tokens).Where(t => !positions.Contains(t)).Select(t => ratios[t]).ToArray();
                double common = others.Average();
                Assert.True(others.All(r => Math.Abs(r - common) <= 1e-4 * common),
                    $"{where}, head {h}: positions not showing the pixel were not scaled alike ({string.Join(", ", others.Select(r => r.ToString("F5")))})");
                movedAlone |= positions.All(t => Math.Abs(ratios[t] - common) > 1e-3 * common);
            }
            Assert.True(movedAlone, $"{where}: the positions {string.Join(",", positions)} showing the pixel did not move on their own");
        }
    }

    [Fact]
    public void A_click_outside_the_image_is_refused()
    {
        var (image, result) = (trained.Image, trained.Result);
        Assert.Throws<ArgumentException>(() => result.Model!.AttentionAt(image, W, 0));
        Assert.Throws<ArgumentException>(() => result.Model!.AttentionAt(image, 0, -1));
    }

    /// <summary>The pixel index each window position shows, row-major, edges reflected (… 2 1 | 0 1 2 … | n−2 n−3 …).</summary>
    private static int[] WindowPixels(int x, int y)
    {
        int r = Window / 2;
        return Enumerable.Range(0, Tokens).Select(t => Reflect(y + t / Window - r, H) * W + Reflect(x + t % Window - r, W)).ToArray();

        static int Reflect(int i, int n) => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    }

    /// <summary>The image with pixel q moved half the colour range on every channel.</summary>
    private static RgbImage WithPixelChanged(RgbImage image, int q)
    {
        var px = (byte[])image.Pixels.Clone();
        for (int c = 0; c < 3; c++) px[3 * q + c] = (byte)((px[3 * q + c] + 128) % 256);
        return new RgbImage(image.Width, image.Height, px);
    }
}
