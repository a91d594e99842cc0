namespace Segmenter.Engine.Steering;

/// <summary>How long and how hard a stroke fine-tune trains: one source for the engine, the page and the bench.</summary>
/// <param name="Epochs">More epochs on the run's own network, <see cref="MinEpochs"/>…<see cref="MaxEpochs"/>.</param>
/// <param name="StrokeWeight">λ: the stroke loss's weight next to the reconstruction loss (0 &lt; λ ≤ <see cref="MaxStrokeWeight"/>).</param>
public sealed record FineTuneSettings(int Epochs = FineTuneSettings.DefaultEpochs, double StrokeWeight = 1.0)
{
    public const int DefaultEpochs = 3, MinEpochs = 1, MaxEpochs = 20;
    public const double MaxStrokeWeight = 100;

    /// <summary>Throws <see cref="ArgumentException"/> with a message for the caller when a setting is out of range.</summary>
    public void Validate()
    {
        if (Epochs is < MinEpochs or > MaxEpochs)
            throw new ArgumentException($"Fine-tune epochs must be {MinEpochs}…{MaxEpochs}; got {Epochs}.");
        if (!double.IsFinite(StrokeWeight) || StrokeWeight <= 0 || StrokeWeight > MaxStrokeWeight)
            throw new ArgumentException($"The stroke loss weight must be above 0 and at most {MaxStrokeWeight:g}; got {StrokeWeight:g}.");
    }
}
