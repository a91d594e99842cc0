using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

public class SegmentationQualityTests
{
    // The earlier default's clustering (raw codes, a 5-wide mode filter, no border refinement): pooled features, the
    // refinement and the 9-wide filter make k = 6 on three flat blocks come out as the same three segments, which is
    // right for a run but leaves nothing to score here.
    private static readonly SegmentationParameters Quick = SegmentationParameters.ForPreset(Preset.Fast) with
        { Epochs = 8, Clusters = 3, CodePooling = 0, ColourWeight = 0, BorderRefinement = 0, LabelSmoothing = 5 };

    [Fact]
    public void Scores_a_run_on_its_own_codes_and_rewards_the_true_number_of_blocks()
    {
        var (image, _) = SampleImages.Blocks(60, 40);
        var three = SegmentationPipeline.Run(image, Quick);
        using var threeModel = three.Model;
        var six = three.Model!.Cluster(three.Parameters with { Clusters = 6 });
        var q3 = three.Model!.Quality(three);
        var q6 = six.Model!.Quality(six);
        Assert.InRange(q3.Silhouette, -1, 1);
        Assert.True(q3.DaviesBouldin >= 0);
        // Three flat blocks: the 3-cluster labels separate the codes better than 6 clusters do.
        Assert.True(q3.Silhouette > q6.Silhouette, $"silhouette k=3 {q3.Silhouette} vs k=6 {q6.Silhouette}");
        Assert.Equal(q3, three.Model!.Quality(three)); // seeded sample: reproducible
    }

    [Fact]
    public void Refuses_a_result_of_another_image_and_a_disposed_model()
    {
        var (image, _) = SampleImages.Blocks(30, 30);
        var r = SegmentationPipeline.Run(image, Quick with { Epochs = 1 });
        var other = SegmentationPipeline.Run(SampleImages.Blocks(20, 20).Image, Quick with { Epochs = 1 });
        other.Model!.Dispose();
        Assert.Throws<ArgumentException>(() => r.Model!.Quality(other));
        r.Model!.Dispose();
        Assert.Throws<ObjectDisposedException>(() => r.Model!.Quality(r));
    }
}
