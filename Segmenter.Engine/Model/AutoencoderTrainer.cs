using System.Diagnostics;
using Segmenter.Engine.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Segmenter.Engine.Model;

/// <summary>Adam + MSE on reconstructing each pixel's window, one epoch at a time, reporting each epoch as it ends.</summary>
internal static class AutoencoderTrainer
{
    public static List<EpochLoss> Train(
        AttentionAutoencoder model, PixelWindows windows, long pixelCount, SegmentationParameters p,
        Stopwatch clock, Action<PipelineEvent>? progress, CancellationToken ct)
    {
        var losses = new List<EpochLoss>(p.Epochs);
        var rng = new Random(p.Seed);
        // Every pixel each epoch (the original's work), or a fresh seeded sample each epoch (cheaper, same objective in expectation).
        int perEpoch = (int)Math.Min(p.TrainingSample ?? long.MaxValue, pixelCount);
        var order = new int[perEpoch];
        if (p.TrainingSample is null) for (int i = 0; i < perEpoch; i++) order[i] = i;

        int batch = Math.Min(p.BatchSize, perEpoch), floats = windows.FloatsPerItem;
        var buffer = new float[batch * floats];
        using var optimizer = optim.Adam(model.parameters(), p.LearningRate);
        model.train();
        long steps = (long)p.Epochs * ((perEpoch + batch - 1) / batch), step = 0;

        for (int epoch = 1; epoch <= p.Epochs; epoch++)
        {
            if (p.TrainingSample is null) rng.Shuffle(order);
            else for (int i = 0; i < perEpoch; i++) order[i] = (int)rng.NextInt64(pixelCount);

            double sum = 0;
            for (int start = 0; start < perEpoch; start += batch)
            {
                ct.ThrowIfCancellationRequested();
                int b = Math.Min(batch, perEpoch - start);
                windows.Fill(order.AsSpan(start, b), buffer);
                using var scope = torch.NewDisposeScope();
                var x = torch.tensor(buffer.AsSpan(0, b * floats).ToArray(), [b, windows.Tokens, 3]); // (B, T, 3)
                var target = x.view(b, floats);                                                           // (B, T·3)
                if (p.CosineDecay)
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = p.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / steps));
                step++;
                optimizer.zero_grad();
                var loss = nn.functional.mse_loss(model.forward(x), target);
                loss.backward();
                optimizer.step();
                sum += loss.item<float>() * b;
            }

            double mean = sum / perEpoch;
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

    private static bool ParametersFinite(nn.Module model)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var w in model.parameters())
            if (!w.isfinite().all().item<bool>()) return false;
        return true;
    }
}
