using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>A session with the real engine that has trained one epoch on three vertical colour bands (the edit tests' run).</summary>
internal static class TrainedBands
{
    public const int Width = 24, Height = 16;

    public static async Task<SegmentationSession> StartAsync(int clusters)
    {
        var session = new SegmentationSession(TestData.Runner(), new EngineSegmentation(), new SampleImages(), new SessionRegistry(),
            Options.Create(new SegmenterOptions()), NullLogger<SegmentationSession>.Instance);
        var px = new byte[Width * Height * 3];
        for (int i = 0; i < Width * Height; i++)
        {
            var (r, g, b) = TestData.Colours[i % Width / 8];
            px[3 * i] = r; px[3 * i + 1] = g; px[3 * i + 2] = b;
        }
        session.SetImage(new RgbImage(Width, Height, px), "bands.png");
        session.Form.Clusters = clusters;
        session.Form.Epochs = 1;
        Assert.True(await session.StartAsync(), session.Error);
        await TestData.Until(() => session.State is SessionState.Finished or SessionState.Failed);
        return session;
    }
}
