using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Segmenter.Engine.Model;

/// <summary>
/// The original system's autoencoder, one pixel (or one pixel's neighbourhood) at a time:
/// RGB/255 → Dense 64 (ReLU) → multi-head self-attention → Dense 32 (ReLU) = code → Dense 64 (ReLU) → Dense 3 (sigmoid).
///
/// A sample is the T = window² tokens of a pixel's window×window neighbourhood (centre token in the middle).
/// Only the centre token's query is needed: it attends over all T tokens, and its output becomes the code.
/// With window 1 there is a single token, softmax over one score is 1, and attention reduces to the value
/// and output projections, i.e. a linear map: exactly what the original Keras model computes per pixel.
///
/// Like any autoencoder it reconstructs its whole input, here the window's T colours (Dense 3·T; 3 for window 1).
/// Were it asked for the centre colour alone, a 32-d code could ignore the neighbours; asked for the window,
/// the code must summarise the neighbourhood, which is what lets noisy or textured regions cluster together.
/// </summary>
public sealed partial class AttentionAutoencoder : nn.Module<Tensor, Tensor>
{
    /// <summary>Features of the embedding, attention and hidden layers (<see cref="ModelArchitecture.HiddenWidth"/>).</summary>
    public int Width { get; }

    /// <summary>Numbers per pixel code (<see cref="ModelArchitecture.CodeSize"/>).</summary>
    public int CodeSize { get; }

    public ModelArchitecture Architecture { get; }

    public int Heads { get; }
    public int Window { get; }
    public int Tokens => Window * Window;

    /// <summary>Colours the decoder outputs per pixel: the window's T (an autoencoder of the window), or 1 (its centre or a denoised centre).</summary>
    public int OutputTokens { get; }

    /// <summary>Input floats per token: 3 colour values, or 6 with both colour spaces.</summary>
    public int Channels { get; }

    private readonly Linear embed;          // 3 → 64
    private readonly Parameter? position;   // T × 64, learned; only when the window has neighbours
    private readonly Linear query, key, value, project; // attention projections
    private readonly Linear toCode;         // 64 → 32
    private readonly Linear decode1, decode2; // 32 → 64 → 3·OutputTokens
    // Extra dense layers (Width → Width) before the code and after decode1; empty for depth 1, so the default model
    // keeps the original's weight names and reads earlier saved models.
    private readonly ModuleList<Linear> encoderHidden, decoderHidden;

    // Held for the model's lifetime: a Scalar made implicitly per call can be finalised while libtorch still reads it.
    private readonly Scalar attentionScale;
    // The alpha of every tensor addition, held for the same reason: `a + b` makes an implicit Scalar 1 per call, and
    // the 24-megapixel windowed encode (tiles on both cores, heavy GC) crashed in THSTensor_add reading a finalised one.
    private readonly Scalar one = 1.ToScalar();

    public AttentionAutoencoder(int heads = 2, int window = 1, bool reconstructWindow = true, int channels = 3,
        ModelArchitecture? architecture = null) : base(nameof(AttentionAutoencoder))
    {
        TorchRuntime.Initialise(); // torch's thread count before any of this model's work (see TorchRuntime.Initialise)
        Architecture = architecture ?? ModelArchitecture.Original;
        Width = Architecture.HiddenWidth;
        CodeSize = Architecture.CodeSize;
        if (heads < 1 || Width % heads != 0)
            throw new ArgumentException($"Hidden width {Width} is not divisible by {heads} heads; the heads must divide it evenly.", nameof(heads));
        if (CodeSize < 1 || Architecture.EncoderDepth < 1 || Architecture.DecoderDepth < 1)
            throw new ArgumentException($"The code size and depths must be at least 1; got {Architecture}.", nameof(architecture));
        if (window < 1 || window % 2 == 0)
            throw new ArgumentException($"The attention window must be an odd width (1, 3, 5, …) so it has a centre; got {window}.", nameof(window));
        Heads = heads;
        Window = window;
        OutputTokens = reconstructWindow ? Tokens : 1;

        Channels = channels;
        embed = nn.Linear(channels, Width);
        if (window > 1)
        {
            position = nn.Parameter(torch.empty(Tokens, Width));
            nn.init.normal_(position, 0, 0.02);
        }
        query = nn.Linear(Width, Width);
        key = nn.Linear(Width, Width);
        value = nn.Linear(Width, Width);
        project = nn.Linear(Width, Width);
        toCode = nn.Linear(Width, CodeSize);
        decode1 = nn.Linear(CodeSize, Width);
        decode2 = nn.Linear(Width, channels * OutputTokens);
        encoderHidden = nn.ModuleList(Enumerable.Range(0, Architecture.EncoderDepth - 1).Select(_ => nn.Linear(Width, Width)).ToArray());
        decoderHidden = nn.ModuleList(Enumerable.Range(0, Architecture.DecoderDepth - 1).Select(_ => nn.Linear(Width, Width)).ToArray());
        attentionScale = (1.0 / Math.Sqrt(Width / heads)).ToScalar();
        RegisterComponents();
    }

    /// <summary>x: (B, T, 3) neighbourhood colours in [0, 1] → (B, 32) codes of the centre pixels.</summary>
    public Tensor Encode(Tensor x) => EncodeWithAttention(x, keepWeights: false).Code;

    /// <summary>The code and, for windows over 1, the centre token's attention weights (B, heads, T).</summary>
    public (Tensor Code, Tensor? Weights) EncodeWithAttention(Tensor x, bool keepWeights)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0];
        int t = Tokens, hd = Width / Heads;

        var h = Architecture.Apply(embed.forward(x));                 // (B, T, 64)
        if (position is not null) h = h.add(position, one);                // (B, T, 64)
        var centre = h[.., t / 2, ..];                              // (B, 64)

        Tensor y;
        Tensor? weights = null;
        if (t == 1)
        {
            // One token: softmax(q·k) = 1, so attention is value then output projection (a linear map).
            y = value.forward(centre);                              // (B, 64)
        }
        else
        {
            var q = query.forward(centre).view(b, Heads, 1, hd);   // (B, H, 1, hd)
            var k = key.forward(h).view(b, t, Heads, hd).transpose(1, 2);   // (B, H, T, hd)
            var v = value.forward(h).view(b, t, Heads, hd).transpose(1, 2); // (B, H, T, hd)
            var att = torch.matmul(q, k.transpose(-2, -1)).mul_(attentionScale); // (B, H, 1, T)
            att = F.softmax(att, -1);
            y = torch.matmul(att, v).reshape(b, Width);                     // (B, 64) heads side by side
            if (keepWeights) weights = att.view(b, Heads, t).MoveToOuterDisposeScope();
        }

        var code = ToCode(project.forward(y)); // (B, 32)
        return (code.MoveToOuterDisposeScope(), weights);
    }

    /// <summary>(B, 32) codes → (B, OutputTokens·3) reconstructed colours in [0, 1].</summary>
    public Tensor Decode(Tensor code)
    {
        using var scope = torch.NewDisposeScope();
        var h = Architecture.Apply(decode1.forward(code));
        foreach (var layer in decoderHidden) h = Architecture.Apply(layer.forward(h));
        return F.sigmoid(decode2.forward(h)).MoveToOuterDisposeScope();
    }

    /// <summary>The attention output (…, Width) through the encoder's dense layers to the code (…, CodeSize).</summary>
    private Tensor ToCode(Tensor attended)
    {
        var h = attended;
        foreach (var layer in encoderHidden) h = Architecture.Apply(layer.forward(h));
        return Architecture.Apply(toCode.forward(h));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { attentionScale.Dispose(); one.Dispose(); }
        base.Dispose(disposing);
    }

    /// <summary>x: (B, T, 3) → (B, T·3) reconstruction of the window, token by token.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return Decode(Encode(x)).MoveToOuterDisposeScope();
    }
}
