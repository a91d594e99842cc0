using Segmenter.Engine.Imaging;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>
/// A session for the steering tests on the real engine: three colours (pixel i has colour i mod 3), so training finds
/// three clusters; <paramref name="greenOnRightOfCluster0"/> gives cluster 0 a second colour on the right half (so it can split).
/// </summary>
internal static class EditSessions
{
    public static SegmentationSession ThreeClusters(int width, int height, string name, byte greenOnRightOfCluster0 = 0)
    {
        var session = TestData.Session();
        session.Form.Clusters = 3;
        var px = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++)
        {
            var (r, g, b) = TestData.Colours[i % 3];
            px[3 * i] = r; px[3 * i + 1] = (byte)(g + (i % 3 == 0 && i % width >= width / 2 ? greenOnRightOfCluster0 : 0)); px[3 * i + 2] = b;
        }
        session.SetImage(new RgbImage(width, height, px), name);
        return session;
    }
}
