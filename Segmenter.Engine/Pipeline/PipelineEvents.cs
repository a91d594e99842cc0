namespace Segmenter.Engine.Pipeline;

public enum PipelineStage { Decoding, Training, Encoding, Clustering, Rendering, Done }

/// <summary>One epoch's mean training loss, reported the moment the epoch ends.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TotalEpochs">Epochs planned for the run.</param>
/// <param name="Loss">Mean MSE over the epoch's samples.</param>
/// <param name="ElapsedSeconds">Seconds since the run started.</param>
public sealed record EpochLoss(int Epoch, int TotalEpochs, double Loss, double ElapsedSeconds);

/// <summary>What a running pipeline tells its caller: stage changes and epoch losses.</summary>
public abstract record PipelineEvent;
public sealed record StageChanged(PipelineStage Stage, double ElapsedSeconds) : PipelineEvent;
public sealed record EpochCompleted(EpochLoss Loss) : PipelineEvent;
