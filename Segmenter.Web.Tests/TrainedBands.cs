using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>A session with the real engine that has trained one epoch on three vertical colour bands (the edit tests' run).</summary>
internal static class TrainedBands
{
    public const int Width = 24, Height = 16;

    public static async Task<SegmentationSession> StartAsync(int clusters)
    {
        var session = TestData.Session();
        session.SetImage(TestData.Bands(Width, Height), "bands.png");
        session.Form.Clusters = clusters;
        session.Form.Epochs = 1;
        await TestData.TrainAsync(session);
        return session;
    }
}
