using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Segmenter.Engine.Model;

/// <summary>One epoch's training steps: each gives the model's reconstruction and what it should have been.</summary>
internal abstract class TrainingBatches
{
    public abstract int StepsPerEpoch { get; }

    /// <summary>Pixels trained on per epoch (the denominator of the epoch's mean loss).</summary>
    public abstract long PixelsPerEpoch { get; }

    public abstract void StartEpoch();

    /// <summary>Step <paramref name="step"/> of the epoch: (reconstruction, target, pixels in the step); tensors in the caller's scope.</summary>
    public abstract (Tensor Output, Tensor Target, int Pixels) Step(AttentionAutoencoder model, int step);

    /// <summary>Window 1 trains pixel by pixel (the original's batches); wider windows train on crops (the fast encoder).</summary>
    public static TrainingBatches For(RgbImage image, SegmentationParameters p) =>
        p.Window == 1 ? new PixelBatches(image, p) : new CropBatches(image, p);

    /// <summary>Every pixel each epoch in a shuffled order (the original's work), or a fresh seeded sample each epoch.</summary>
    private sealed class PixelBatches : TrainingBatches
    {
        private readonly PixelWindows windows;
        private readonly long pixelCount;
        private readonly bool sampled;
        private readonly int[] order;
        private readonly float[] buffer;
        private readonly int batch;
        private readonly Random rng;

        public PixelBatches(RgbImage image, SegmentationParameters p)
        {
            windows = new PixelWindows(image, p.Window, p.InputColours);
            pixelCount = image.PixelCount;
            sampled = p.TrainingSample is not null;
            order = new int[(int)Math.Min(p.TrainingSample ?? long.MaxValue, pixelCount)];
            if (!sampled) for (int i = 0; i < order.Length; i++) order[i] = i;
            batch = Math.Min(p.BatchSize, order.Length);
            buffer = new float[batch * windows.FloatsPerItem];
            rng = new Random(p.Seed);
        }

        public override int StepsPerEpoch => (order.Length + batch - 1) / batch;
        public override long PixelsPerEpoch => order.Length;

        public override void StartEpoch()
        {
            if (!sampled) rng.Shuffle(order);
            else for (int i = 0; i < order.Length; i++) order[i] = (int)rng.NextInt64(pixelCount);
        }

        public override (Tensor, Tensor, int) Step(AttentionAutoencoder model, int step)
        {
            int start = step * batch, b = Math.Min(batch, order.Length - start), floats = windows.FloatsPerItem;
            windows.Fill(order.AsSpan(start, b), buffer);
            var x = torch.tensor(buffer.AsSpan(0, b * floats).ToArray(), [b, windows.Tokens, windows.Channels]); // (B, T, C)
            return (model.forward(x), x.view(b, floats), b);
        }
    }

    /// <summary>
    /// Seeded random crops, as many per step as make up the batch size in interior pixels, as many steps as cover
    /// the epoch's pixels (the training sample, or the image's pixel count when every pixel is asked for).
    /// </summary>
    private sealed class CropBatches : TrainingBatches
    {
        /// <summary>
        /// Interior side of a crop. A step's pixels should come from many places: with 16×16 crops (2 per batch of 512)
        /// the default missed low-contrast and curved scenes (ARI 0.4–0.5), with 8×8 (8 per batch) it found them (0.99),
        /// 4×4 did no better for more halo. The halo of a 3×3 window adds 56 % to an 8×8 crop's key and value work.
        /// </summary>
        public const int CropSide = 8;

        private readonly TrainingCrops crops;
        private readonly DecoderTarget target;
        private readonly int cropsPerStep;
        private readonly float[] buffer;

        public CropBatches(RgbImage image, SegmentationParameters p)
        {
            crops = new TrainingCrops(new ImageRegions(image, p.Window / 2, p.InputColours), CropSide, p.Seed);
            target = p.DecoderTarget;
            cropsPerStep = Math.Max(1, (int)Math.Round((double)p.BatchSize / crops.PixelsPerCrop));
            long pixels = Math.Min(p.TrainingSample ?? long.MaxValue, image.PixelCount);
            StepsPerEpoch = (int)Math.Max(1, (pixels + (long)cropsPerStep * crops.PixelsPerCrop - 1) / ((long)cropsPerStep * crops.PixelsPerCrop));
            buffer = new float[cropsPerStep * crops.FloatsPerCrop];
        }

        public override int StepsPerEpoch { get; }
        public override long PixelsPerEpoch => (long)StepsPerEpoch * cropsPerStep * crops.PixelsPerCrop;
        public override void StartEpoch() { }

        public override (Tensor, Tensor, int) Step(AttentionAutoencoder model, int step)
        {
            for (int c = 0; c < cropsPerStep; c++) crops.Next(buffer.AsSpan(c * crops.FloatsPerCrop, crops.FloatsPerCrop));
            var x = torch.tensor(buffer, [cropsPerStep, crops.PaddedHeight, crops.PaddedWidth, crops.Channels]);
            return (model.ForwardRegion(x), Targets(model, x), cropsPerStep * crops.PixelsPerCrop);
        }

        private Tensor Targets(AttentionAutoencoder model, Tensor x) => target switch
        {
            DecoderTarget.Centre => x.narrow(1, model.Halo, crops.Height).narrow(2, model.Halo, crops.Width),
            DecoderTarget.Denoised => model.RegionTargets(x).unflatten(3, [model.Tokens, crops.Channels]).mean([3]),
            _ => model.RegionTargets(x),
        };
    }
}
