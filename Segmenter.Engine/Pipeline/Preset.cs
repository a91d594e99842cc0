namespace Segmenter.Engine.Pipeline;

/// <summary>How much work a run does. Explicit parameters override a preset's values.</summary>
public enum Preset
{
    /// <summary>Same or better segmentation for a fraction of the work (sampled training, weighted unique codes).</summary>
    Fast,

    /// <summary>Exactly the original system's work: every pixel every epoch, batch 256, 30 epochs, window 1, 10 k-means restarts.</summary>
    Original,
}
