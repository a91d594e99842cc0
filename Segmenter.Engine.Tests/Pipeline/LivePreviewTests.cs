using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

public class LivePreviewTests
{
    private static readonly SegmentationParameters Quick = SegmentationParameters.ForPreset(Preset.Fast) with { Epochs = 6, Clusters = 3 };

    // No interval and no budget: a preview after every epoch but the last, so the test sees them all.
    private static readonly LivePreviewOptions EveryEpoch = new(MaxSide: 64, MinIntervalSeconds: 0, MaxShare: double.PositiveInfinity);

    [Fact]
    public void Previews_follow_their_epoch_are_downscaled_and_use_k_mean_colours()
    {
        var image = SampleImages.Astronaut();
        var events = new List<PipelineEvent>();
        var result = SegmentationPipeline.Run(image, Quick, events.Add, preview: EveryEpoch);
        using var resultModel = result.Model;

        var frames = events.OfType<PreviewReady>().Select(e => e.Frame).ToList();
        Assert.Equal(Enumerable.Range(1, Quick.Epochs - 1), frames.Select(f => f.Epoch));
        foreach (var f in frames)
        {
            Assert.Equal(64, Math.Max(f.Width, f.Height));
            Assert.Equal(f.Width * f.Height * 3, f.Rgb.Length);
            int colours = Enumerable.Range(0, f.Width * f.Height).Select(i => (f.Rgb[3 * i] << 16) | (f.Rgb[3 * i + 1] << 8) | f.Rgb[3 * i + 2]).Distinct().Count();
            Assert.InRange(colours, 2, Quick.Clusters);
        }
        // Each preview comes right after its epoch's report.
        for (int i = 1; i < events.Count; i++)
            if (events[i] is PreviewReady { Frame: var f })
                Assert.Equal(f.Epoch, Assert.IsType<EpochCompleted>(events[i - 1]).Loss.Epoch);
    }

    [Fact]
    public void Previews_do_not_change_what_is_trained()
    {
        var image = SampleImages.Astronaut();
        var plain = SegmentationPipeline.Run(image, Quick);
        using var plainModel = plain.Model;
        int previews = 0;
        var watched = SegmentationPipeline.Run(image, Quick, e => { if (e is PreviewReady) previews++; }, preview: EveryEpoch);
        using var watchedModel = watched.Model;
        Assert.Equal(Quick.Epochs - 1, previews);
        Assert.Equal(plain.EpochLosses.Select(e => e.Loss), watched.EpochLosses.Select(e => e.Loss));
        Assert.Equal(plain.Labels, watched.Labels);
    }

    /// <summary>
    /// With the default options the first preview comes once half a second of training has passed, and the next ones at
    /// least half a second apart and within their share of the time.
    /// </summary>
    [Fact]
    public void Default_options_keep_previews_at_least_half_a_second_apart()
    {
        var previewTimes = PreviewTimes(LivePreviewOptions.Default);
        Assert.NotEmpty(previewTimes);
        AssertApart(previewTimes, LivePreviewOptions.Default.MinIntervalSeconds);
    }

    /// <summary>The interval alone (no share of the time to keep within) spaces several previews.</summary>
    [Fact]
    public void Without_a_time_share_the_default_interval_alone_spaces_the_previews()
    {
        var previewTimes = PreviewTimes(LivePreviewOptions.Default with { MaxShare = double.PositiveInfinity });
        Assert.True(previewTimes.Count >= 2, $"previews after the epochs that ended at {string.Join(", ", previewTimes)} s");
        AssertApart(previewTimes, LivePreviewOptions.Default.MinIntervalSeconds);
    }

    /// <summary>
    /// When each preview came (the end time of the epoch it followed) in a twelve-epoch run whose handler holds the
    /// training thread a quarter of a second after every epoch: the run lasts at least three seconds on any machine,
    /// so the first preview is due by the second epoch and, without an interval, one would follow every epoch.
    /// </summary>
    private static List<double> PreviewTimes(LivePreviewOptions options)
    {
        var image = SampleImages.Astronaut();
        var at = new List<double>();
        var result = SegmentationPipeline.Run(image, Quick with { Epochs = 12 }, e =>
        {
            if (e is EpochCompleted { Loss: var l })
            {
                at.Add(l.ElapsedSeconds);
                Thread.Sleep(250);
            }
            else if (e is PreviewReady) at.Add(-at[^1]);
        }, preview: options);
        using var resultModel = result.Model;
        // A negative entry marks a preview made after the epoch that ended at that time.
        return at.Where(t => t < 0).Select(t => -t).ToList();
    }

    private static void AssertApart(List<double> previewTimes, double seconds)
    {
        for (int i = 1; i < previewTimes.Count; i++)
            Assert.True(previewTimes[i] - previewTimes[i - 1] >= seconds - 0.05, string.Join(", ", previewTimes));
    }

    [Fact]
    public void Downscale_keeps_the_aspect_and_averages_blocks()
    {
        var px = new byte[4 * 2 * 3];
        for (int i = 0; i < 8; i++) px[3 * i] = (byte)(i % 2 == 0 ? 0 : 200); // red alternates along each row
        var small = LivePreview.Downscale(new RgbImage(4, 2, px), 2);
        Assert.Equal((2, 1), (small.Width, small.Height));
        Assert.Equal(100, small.Pixels[0]);
        Assert.Equal(100, small.Pixels[3]);
        var same = new RgbImage(3, 3, new byte[27]);
        Assert.Same(same, LivePreview.Downscale(same, 128));
    }
}
