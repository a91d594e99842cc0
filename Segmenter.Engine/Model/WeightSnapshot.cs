using TorchSharp;
using static TorchSharp.torch;

namespace Segmenter.Engine.Model;

/// <summary>
/// A copy of a module's parameters taken before an operation that may be abandoned part-way (a cancelled or
/// diverged fine-tune), to put them back. Owns its copies; dispose it when the operation is over.
/// </summary>
internal sealed class WeightSnapshot : IDisposable
{
    private readonly nn.Module _module;
    private readonly Tensor[] _copies;

    private WeightSnapshot(nn.Module module, Tensor[] copies) => (_module, _copies) = (module, copies);

    public static WeightSnapshot Of(nn.Module module)
    {
        using var _ = torch.no_grad();
        return new WeightSnapshot(module, module.parameters().Select(w => w.detach().clone().DetachFromDisposeScope()).ToArray());
    }

    /// <summary>Copies the saved values back into the module's parameters, in place (the optimiser's references stay valid).</summary>
    public void Restore()
    {
        using var _ = torch.no_grad();
        foreach (var (weight, copy) in _module.parameters().Zip(_copies)) weight.copy_(copy);
    }

    public void Dispose()
    {
        foreach (var copy in _copies) copy.Dispose();
    }
}
