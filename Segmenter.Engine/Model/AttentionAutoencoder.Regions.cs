using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Segmenter.Engine.Model;

/// <summary>
/// The same model over whole regions at once (the fast encoder). Keys and values are linear in the embedded token,
/// K(h_j + p_t) + b = (K·h_j + b) + K·p_t, so every pixel's key and value are computed once per region, the T offsets
/// K·p_t and V·p_t once per call, and a window's key for offset t is the key map shifted by t plus that offset.
/// Scores are T shifted slices multiplied by the queries and summed over each head's features: no (N, T, 64) tensor
/// of per-window projections and no batched products of tiny matrices. Same maths as <see cref="EncodeWithAttention"/>
/// (tested to 1e-4 on the same weights). It is faster per training step than the per-window model; the T slice passes
/// are memory-bound, so it still costs several times the pixel model per pixel (docs/performance-log.md, "Context
/// attention: where the time goes").
/// </summary>
public sealed partial class AttentionAutoencoder
{
    /// <summary>Pixels of context a region needs on each side of its interior: window / 2.</summary>
    public int Halo => Window / 2;

    /// <summary>region: (B, H + 2·halo, W + 2·halo, 3) colours → (B, H, W, 32) codes of its interior pixels.</summary>
    public Tensor EncodeRegion(Tensor region) => EncodeRegionWithAttention(region, keepWeights: false).Code;

    /// <summary>The interior's codes and, for windows over 1, each pixel's attention weights (B, H, W, heads, T).</summary>
    public (Tensor Code, Tensor? Weights) EncodeRegionWithAttention(Tensor region, bool keepWeights)
    {
        using var scope = torch.NewDisposeScope();
        int r = Halo, hd = Width / Heads;
        long b = region.shape[0], height = region.shape[1] - 2 * r, width = region.shape[2] - 2 * r;
        if (height < 1 || width < 1)
            throw new ArgumentException($"A region for window {Window} needs at least {2 * r + 1}×{2 * r + 1} pixels.", nameof(region));

        Tensor y;
        Tensor? weights = null;
        if (position is null)
        {
            var h = Architecture.Apply(embed.forward(region));                  // (B, Hp, Wp, 64)
            y = value.forward(h.narrow(1, r, height).narrow(2, r, width));      // one token: a linear map, as the pixel model
        }
        else
        {
            // Channels outermost, (64, B, Hp, Wp): every projection is one matrix product W·h over all the region's
            // pixels, written straight in the layout the attention sums over (a head's features are whole planes,
            // which vectorises), and no 64-channel map is ever transposed (docs/how-it-works.md, "The fast encoder").
            long hp = region.shape[1], wp = region.shape[2];
            var x = region.permute(3, 0, 1, 2).reshape(Channels, b * hp * wp);                       // (3, B·Hp·Wp)
            var h = Architecture.Apply(Projected(embed, x));                                          // (64, B·Hp·Wp)
            var keys = Projected(key, h).view(Heads, hd, b, hp, wp);                                  // K·h + b, once per pixel
            var values = Projected(value, h).view(Heads, hd, b, hp, wp);                              // V·h + b, once per pixel
            var centre = h.view(Width, b, hp, wp).narrow(2, r, height).narrow(3, r, width)
                .add(position[Tokens / 2].view(Width, 1, 1, 1), one);                                 // (64, B, H, W)
            var q = Projected(query, centre.view(Width, b * height * width)).view(Heads, hd, b, height, width);
            var keyOffsets = torch.matmul(position, key.weight!.T).view(Tokens, Heads, hd);   // K·p_t, once per call
            var valueOffsets = torch.matmul(position, value.weight!.T).view(Tokens, Heads, hd);

            var scores = new Tensor[Tokens];
            for (int t = 0; t < Tokens; t++)
            {
                using var product = ShiftedPlanes(keys, t, height, width) * q;
                scores[t] = product.sum(1);                                     // (heads, B, H, W)
            }
            var att = torch.stack(scores, 1).add_(torch.einsum("ndbhw,tnd->ntbhw", q, keyOffsets), one).mul_(attentionScale);
            att = F.softmax(att, 1);                                            // (heads, T, B, H, W)

            var mixed = torch.einsum("ntbhw,tnd->ndbhw", att, valueOffsets);    // Σ_t a_t·V·p_t
            for (int t = 0; t < Tokens; t++)
            {
                using var weighted = ShiftedPlanes(values, t, height, width) * att.narrow(1, t, 1);
                mixed.add_(weighted, one);
            }
            y = mixed.reshape(Width, b, height, width).permute(1, 2, 3, 0);     // (B, H, W, 64) heads side by side
            if (keepWeights) weights = att.permute(2, 3, 4, 0, 1).contiguous().MoveToOuterDisposeScope();
        }
        var code = ToCode(project.forward(y));                                   // (B, H, W, code)
        return (code.MoveToOuterDisposeScope(), weights);
    }

    /// <summary>region (B, Hp, Wp, 3) → (B, H, W, 3·T): each interior pixel's window reconstructed, token by token.</summary>
    public Tensor ForwardRegion(Tensor region)
    {
        using var scope = torch.NewDisposeScope();
        return Decode(EncodeRegion(region)).MoveToOuterDisposeScope();
    }

    /// <summary>The window colours each interior pixel reconstructs: (B, H, W, 3·T), tokens row by row as <see cref="forward"/> expects.</summary>
    public Tensor RegionTargets(Tensor region)
    {
        using var scope = torch.NewDisposeScope();
        int r = Halo;
        long height = region.shape[1] - 2 * r, width = region.shape[2] - 2 * r;
        var slices = Enumerable.Range(0, Tokens).Select(t => Shifted(region, t, height, width)).ToArray();
        var target = torch.stack(slices, 3);                                     // (B, H, W, T, 3)
        return target.flatten(3).MoveToOuterDisposeScope();
    }

    /// <summary>The channels-last map seen at window offset t (row-major over the window) by every interior pixel.</summary>
    private Tensor Shifted(Tensor map, int t, long height, long width) =>
        map.narrow(1, t / Window, height).narrow(2, t % Window, width);

    /// <summary>A channels-outermost map's (heads, hd, B, Hp, Wp) view at window offset t.</summary>
    private Tensor ShiftedPlanes(Tensor map, int t, long height, long width) =>
        map.narrow(3, t / Window, height).narrow(4, t % Window, width);

    /// <summary>A linear layer on channels-outermost pixels, (in, N) → (out, N): W·x + b, one matrix product.</summary>
    private static Tensor Projected(TorchSharp.Modules.Linear layer, Tensor pixels) =>
        torch.addmm(layer.bias!.unsqueeze(1), layer.weight!, pixels, beta: 1, alpha: 1);
}
