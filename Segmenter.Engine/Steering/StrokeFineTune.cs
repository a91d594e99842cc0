using System.Diagnostics;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;
using Segmenter.Engine.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Segmenter.Engine.Steering;

/// <summary>
/// Trains the run's own network a few more epochs with the strokes as an extra loss: reconstruction MSE on the
/// run's usual batches plus λ × cross-entropy of a temporary linear head (code → brush) on a batch of stroked
/// pixels each step. The head is thrown away; what stays is an encoder whose codes keep stroked brushes apart even
/// where their colours mislead. Called through <see cref="TrainedModel.FineTune"/>, which re-encodes afterwards.
/// A fine-tune that is cancelled, diverges or fails puts the weights back as they were, so the shown result, its
/// codes and its re-clusterings stay those of one network: Cancel loses nothing.
/// </summary>
public static class StrokeFineTune
{
    internal static List<EpochLoss> Train(AttentionAutoencoder model, RgbImage image, SegmentationParameters p,
        Scribbles scribbles, FineTuneSettings settings, Action<EpochLoss>? progress, CancellationToken ct)
    {
        Validate(image, scribbles, settings);
        var brushes = scribbles.Brushes();

        var classOfPixel = scribbles.BrushIndexOfPixel();
        var stroked = Enumerable.Range(0, classOfPixel.Length).Where(i => classOfPixel[i] >= 0).ToArray();
        var windows = new PixelWindows(image, p.Window, p.InputColours);
        // A fresh seed from the run's: the same crops as training again would add little.
        var batches = TrainingBatches.For(image, p with { Seed = p.Seed + 1 });
        int strokeBatch = Math.Min(p.BatchSize, stroked.Length);
        var strokeInput = new float[strokeBatch * windows.FloatsPerItem];
        var pick = new int[strokeBatch];
        var pickClass = new long[strokeBatch];
        var rng = new Random(p.Seed);

        using var head = TorchRuntime.CreateSeeded(p.Seed, () => nn.Linear(model.CodeSize, brushes.Length));
        using var optimizer = new AdamWithHeldScalars(model.parameters().Concat(head.parameters()), p.LearningRate);
        using var before = WeightSnapshot.Of(model);
        // Held for the whole fine-tune: a Scalar made implicitly per step can be finalised while libtorch reads it.
        using var strokeWeight = settings.StrokeWeight.ToScalar();
        using var one = 1.ToScalar();
        try
        {
            model.train();
            var clock = Stopwatch.StartNew();
            var losses = new List<EpochLoss>(settings.Epochs);
            for (int epoch = 1; epoch <= settings.Epochs; epoch++)
            {
                batches.StartEpoch();
                double sum = 0;
                for (int s = 0; s < batches.StepsPerEpoch; s++)
                {
                    ct.ThrowIfCancellationRequested();
                    using var scope = torch.NewDisposeScope();
                    optimizer.ZeroGrad();
                    var (output, target, _) = batches.Step(model, s);
                    var reconstruction = nn.functional.mse_loss(output, target);

                    for (int i = 0; i < strokeBatch; i++)
                    {
                        pick[i] = stroked[rng.Next(stroked.Length)];
                        pickClass[i] = classOfPixel[pick[i]];
                    }
                    windows.Fill(pick, strokeInput);
                    var x = torch.tensor(strokeInput, [strokeBatch, windows.Tokens, windows.Channels]);
                    var strokeLoss = nn.functional.cross_entropy(head.forward(model.Encode(x)), torch.tensor(pickClass));

                    var loss = reconstruction.add(strokeLoss.mul(strokeWeight), alpha: one);
                    loss.backward();
                    optimizer.Step();
                    sum += loss.item<float>();
                }

                double mean = sum / batches.StepsPerEpoch;
                if (!double.IsFinite(mean) || !AutoencoderTrainer.ParametersFinite(model))
                    throw new TrainingFailedException($"Fine-tuning diverged in epoch {epoch}; the network is back as it was before the fine-tune: try fewer epochs or other strokes.");
                var report = new EpochLoss(epoch, settings.Epochs, mean, clock.Elapsed.TotalSeconds);
                losses.Add(report);
                progress?.Invoke(report);
            }
            return losses;
        }
        catch
        {
            before.Restore();
            throw;
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> with a message for the caller when the strokes or settings cannot be used.</summary>
    public static void Validate(RgbImage image, Scribbles scribbles, FineTuneSettings settings)
    {
        settings.Validate();
        if (scribbles.Width != image.Width || scribbles.Height != image.Height)
            throw new ArgumentException($"The strokes are {scribbles.Width}×{scribbles.Height}, the image {image.Width}×{image.Height}.");
        if (scribbles.Brushes().Length < 2)
            throw new ArgumentException("Fine-tuning needs strokes of at least two brushes: it learns to keep brushes apart.");
    }
}
