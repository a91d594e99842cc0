using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Segmenter.Engine.Model;

/// <summary>
/// Adam (Kingma &amp; Ba; betas 0.9 and 0.999, ε 1e-8, no weight decay), step for step the arithmetic of TorchSharp's
/// <c>optim.Adam</c>, written here because that optimiser passes Scalars it makes implicitly from doubles
/// (<c>addcmul_(…, value: 1 - beta2)</c>, <c>tensor / double</c>) straight into native calls: nothing keeps such a
/// Scalar alive during the call, so a collection on another thread can finalise it while libtorch reads it, and the
/// step fails with "toFloat" or "Unknown scalar type". Every Scalar here is held by a variable that outlives the
/// native call that reads it, the alphas included (an overload without one makes an implicit 1). <see cref="LearningRate"/> is settable between steps (the cosine schedule sets it).
/// </summary>
internal sealed class AdamWithHeldScalars : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;

    private readonly Parameter[] _parameters;
    private readonly Tensor[] _firstMoments, _secondMoments;
    private readonly Scalar _beta1 = Beta1.ToScalar(), _oneMinusBeta1 = (1 - Beta1).ToScalar();
    private readonly Scalar _beta2 = Beta2.ToScalar(), _oneMinusBeta2 = (1 - Beta2).ToScalar();
    private readonly Scalar _epsilon = Epsilon.ToScalar(), _one = 1.ToScalar();
    private long _steps;

    public AdamWithHeldScalars(IEnumerable<Parameter> parameters, double learningRate)
    {
        _parameters = parameters.ToArray();
        LearningRate = learningRate;
        // Moments live for the optimiser's lifetime, outside any dispose scope the caller has open.
        _firstMoments = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _secondMoments = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    public double LearningRate { get; set; }

    public void ZeroGrad()
    {
        foreach (var p in _parameters)
            p.grad?.zero_();
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        _steps++;
        double biasCorrection1 = 1 - Math.Pow(Beta1, _steps);
        double biasCorrection2 = 1 - Math.Pow(Beta2, _steps);
        using var correction2Root = Math.Sqrt(biasCorrection2).ToScalar();
        using var negativeStepSize = (-(LearningRate / biasCorrection1)).ToScalar();
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            using var scope = NewDisposeScope();
            var grad = _parameters[i].grad;
            if (grad is null) continue;
            // m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
            _firstMoments[i].mul_(_beta1).add_(grad, alpha: _oneMinusBeta1);
            _secondMoments[i].mul_(_beta2).addcmul_(grad, grad, value: _oneMinusBeta2);
            // θ ← θ − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
            var denominator = _secondMoments[i].sqrt().div_(correction2Root).add_(_epsilon, _one); // an explicit alpha: add_(scalar) alone makes an implicit 1
            _parameters[i].addcdiv_(_firstMoments[i], denominator, value: negativeStepSize);
        }
    }

    public void Dispose()
    {
        foreach (var t in _firstMoments) t.Dispose();
        foreach (var t in _secondMoments) t.Dispose();
        _beta1.Dispose(); _oneMinusBeta1.Dispose(); _beta2.Dispose(); _oneMinusBeta2.Dispose(); _epsilon.Dispose(); _one.Dispose();
    }
}
