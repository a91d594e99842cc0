using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Steering;

/// <summary>
/// How much a segmentation is a property of the image rather than of the seed: the labelings of runs that differ
/// only in their seed, aligned to the first by Hungarian matching, compared pixel by pixel and pair by pair.
/// </summary>
/// <param name="MeanPairwiseAri">Mean adjusted Rand index over every pair of runs (label names do not matter to it).</param>
/// <param name="Agreement">Per pixel, the fraction of runs whose aligned label is the pixel's most common one (1 = every seed agrees).</param>
/// <param name="Aligned">Each run's labels renamed to agree with the first run's as far as a one-to-one renaming can.</param>
public sealed record SeedStability(double MeanPairwiseAri, float[] Agreement, IReadOnlyList<int[]> Aligned)
{
    /// <summary>Runs the stability figure needs at least (one pair).</summary>
    public const int MinimumRuns = 2;

    public static SeedStability Of(IReadOnlyList<int[]> labelings)
    {
        ArgumentNullException.ThrowIfNull(labelings);
        if (labelings.Count < MinimumRuns)
            throw new ArgumentException($"Stability needs at least {MinimumRuns} runs; got {labelings.Count}.", nameof(labelings));
        int n = labelings[0].Length;
        if (labelings.Any(l => l.Length != n)) throw new ArgumentException("Every run must label the same pixels.", nameof(labelings));

        var aligned = labelings.Select((l, i) => i == 0 ? l : Clustering.Agreement.AlignTo(labelings[0], l)).ToArray();
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < labelings.Count; a++)
            for (int b = a + 1; b < labelings.Count; b++, pairs++) sum += Clustering.Agreement.AdjustedRandIndex(labelings[a], labelings[b]);
        return new SeedStability(sum / pairs, PixelAgreement(aligned), aligned);
    }

    /// <summary>
    /// The original with the pixels where seeds disagree painted towards red in proportion to the disagreement;
    /// where every seed agrees the original shows, dimmed, so the red stands out.
    /// </summary>
    public RgbImage RenderOver(RgbImage original)
    {
        ArgumentNullException.ThrowIfNull(original);
        if (original.PixelCount != Agreement.Length) throw new ArgumentException("The original does not match the runs' size.", nameof(original));
        const float Dim = 0.5f;
        var px = new byte[original.Pixels.Length];
        for (int i = 0; i < Agreement.Length; i++)
        {
            float disagreement = 1f - Agreement[i];
            for (int c = 0; c < 3; c++)
            {
                float dimmed = original.Pixels[3 * i + c] * Dim;
                float target = c == 0 ? 255f : 0f;
                px[3 * i + c] = (byte)MathF.Round(dimmed + (target - dimmed) * disagreement, MidpointRounding.AwayFromZero);
            }
        }
        return new RgbImage(original.Width, original.Height, px);
    }

    private static float[] PixelAgreement(int[][] aligned)
    {
        int n = aligned[0].Length, runs = aligned.Length;
        var agreement = new float[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int r = 0; r < runs; r++)
            {
                int same = 0;
                for (int s = 0; s < runs; s++) if (aligned[s][i] == aligned[r][i]) same++;
                best = Math.Max(best, same);
            }
            agreement[i] = best / (float)runs;
        }
        return agreement;
    }
}
