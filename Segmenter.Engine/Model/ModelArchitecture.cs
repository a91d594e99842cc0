using Segmenter.Engine.Pipeline;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Segmenter.Engine.Model;

/// <summary>
/// The autoencoder's shape: code size, hidden width, dense layers on each side of the code and their nonlinearity.
/// The defaults are the original system's (64 wide, 32-number code, one dense layer each side, ReLU), so a model built
/// with them has the original's layers and weight names and reads earlier saved models.
/// </summary>
public sealed record ModelArchitecture(int CodeSize = 32, int HiddenWidth = 64, int EncoderDepth = 1, int DecoderDepth = 1,
    Activation Activation = Activation.Relu)
{
    public static readonly ModelArchitecture Original = new();

    public static ModelArchitecture Of(SegmentationParameters p) => new(p.CodeSize, p.HiddenWidth, p.EncoderDepth, p.DecoderDepth, p.Activation);

    /// <summary>The nonlinearity applied after every hidden dense layer and on the code.</summary>
    internal Tensor Apply(Tensor x) => Activation switch
    {
        Activation.Gelu => F.gelu(x),
        Activation.Silu => F.silu(x),
        Activation.Tanh => F.tanh(x),
        _ => F.relu(x),
    };
}
