using Microsoft.Extensions.Diagnostics.HealthChecks;
using Segmenter.Engine;
using Segmenter.Engine.Model;
using TorchSharp;

namespace Segmenter.Web.Operations;

/// <summary>
/// Whether TorchSharp can train here: at start-up it sets torch's thread count and runs one tiny forward pass of the
/// real model; the outcome is kept (the native library does not recover later), and the health check reports it.
/// Tests construct it with a failing pass to see the health check turn unhealthy.
/// </summary>
public sealed class TorchStartupProbe
{
    private readonly Lazy<Exception?> _failure;

    public TorchStartupProbe() : this(ForwardPass) { }

    /// <param name="probe">The work that must succeed for torch to count as usable.</param>
    public TorchStartupProbe(Action probe)
        => _failure = new Lazy<Exception?>(() =>
        {
            try { probe(); return null; }
            catch (Exception ex) { return ex; }
        });

    /// <summary>Runs the probe once (later calls return the same outcome); null when torch works.</summary>
    public Exception? Run() => _failure.Value;

    /// <summary>torch's thread count, then a 1-pixel batch through a fresh model; the output must be finite.</summary>
    private static void ForwardPass()
    {
        TorchRuntime.Initialise();
        using var scope = torch.NewDisposeScope();
        using var model = new AttentionAutoencoder(heads: 1, window: 1);
        var output = model.forward(torch.full([1, 1, 3], 0.5f));
        if (!torch.isfinite(output).all().item<bool>())
            throw new InvalidOperationException("A forward pass of the model gave non-finite values.");
    }
}

/// <summary>Unhealthy when <see cref="TorchStartupProbe"/> failed: every run would fail, so a load balancer should look elsewhere.</summary>
public sealed class TorchHealthCheck(TorchStartupProbe probe) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(probe.Run() is { } failure
            ? HealthCheckResult.Unhealthy($"TorchSharp cannot run the model, so training fails: {failure.Message}", failure)
            : HealthCheckResult.Healthy("TorchSharp ran a forward pass at start-up."));
}
