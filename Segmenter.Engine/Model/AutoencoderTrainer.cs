using System.Diagnostics;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Segmenter.Engine.Model;

/// <summary>Adam + MSE on reconstructing each pixel's window, one epoch at a time, reporting each epoch as it ends.</summary>
internal static class AutoencoderTrainer
{
    public static List<EpochLoss> Train(
        AttentionAutoencoder model, RgbImage image, SegmentationParameters p,
        Stopwatch clock, Action<PipelineEvent>? progress, CancellationToken ct)
    {
        var losses = new List<EpochLoss>(p.Epochs);
        var batches = TrainingBatches.For(image, p);
        using var optimizer = new AdamWithHeldScalars(model.parameters(), p.LearningRate);
        model.train();
        long steps = (long)p.Epochs * batches.StepsPerEpoch, step = 0;

        for (int epoch = 1; epoch <= p.Epochs; epoch++)
        {
            batches.StartEpoch();
            double sum = 0;
            for (int s = 0; s < batches.StepsPerEpoch; s++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                if (p.CosineDecay)
                    optimizer.LearningRate = p.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / steps));
                step++;
                optimizer.ZeroGrad();
                var (output, target, pixels) = batches.Step(model, s);
                var loss = nn.functional.mse_loss(output, target);
                loss.backward();
                optimizer.Step();
                sum += loss.item<float>() * pixels;
            }

            double mean = sum / batches.PixelsPerEpoch;
            if (!double.IsFinite(mean) || !ParametersFinite(model))
                throw new TrainingFailedException(
                    $"Training diverged in epoch {epoch}: the loss became {(double.IsNaN(mean) ? "NaN" : "infinite")} " +
                    $"with learning rate {p.LearningRate:g}. Lower the learning rate (1e-3 is a safe start) and train again.");
            var report = new EpochLoss(epoch, p.Epochs, mean, clock.Elapsed.TotalSeconds);
            losses.Add(report);
            progress?.Invoke(new EpochCompleted(report));
        }
        return losses;
    }

    internal static bool ParametersFinite(nn.Module model)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var w in model.parameters())
            if (!w.isfinite().all().item<bool>()) return false;
        return true;
    }
}
