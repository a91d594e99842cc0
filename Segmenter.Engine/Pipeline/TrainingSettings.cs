namespace Segmenter.Engine.Pipeline;

/// <summary>
/// What training decides: the model, its inputs and its schedule. Two runs with equal training settings share their
/// model, so "same training" is this record's equality. The clustering sample is here too: the codes k-means is fitted
/// on are drawn when the model is trained and kept for re-clustering, so only a new training can change it.
/// </summary>
public sealed record TrainingSettings
{
    public Preset Preset { get; init; } = Preset.Fast;
    public int Epochs { get; init; } = 30;
    public int Heads { get; init; } = 2;
    public int Window { get; init; } = 1;
    public DecoderTarget DecoderTarget { get; init; } = DecoderTarget.Window;
    public InputColours InputColours { get; init; } = InputColours.Rgb;
    public int BatchSize { get; init; } = 256;
    public double LearningRate { get; init; } = 1e-3;
    public int Seed { get; init; } = 42;
    public bool CosineDecay { get; init; }
    public int? TrainingSample { get; init; }
    public int? ClusteringSample { get; init; }
    public int CodeSize { get; init; } = 32;
    public int HiddenWidth { get; init; } = 64;
    public int EncoderDepth { get; init; } = 1;
    public int DecoderDepth { get; init; } = 1;
    public Activation Activation { get; init; } = Activation.Relu;
    public int MaxPixels { get; init; }
    public double CodePooling { get; init; }
    public double ColourWeight { get; init; }
    public double TextureWeight { get; init; }
    public int TextureScale { get; init; } = SegmentationParameters.DefaultTextureScale;
}
