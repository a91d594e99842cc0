namespace Segmenter.Engine.Pipeline;

/// <summary>Training diverged (NaN or exploding loss). The message says what to change.</summary>
public sealed class TrainingFailedException : Exception
{
    public TrainingFailedException(string message) : base(message) { }
}
