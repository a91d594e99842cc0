using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Options;

namespace Segmenter.Web.Services;

/// <summary>
/// Frees the server when a visitor vanishes without a clean unload (network loss, a crashed or killed browser).
/// Blazor keeps such a circuit for its retention period (3 minutes by default) in case it reconnects, and the
/// session, with its training job, lives as long as the circuit. One handler per circuit (scoped):
/// <list type="bullet">
/// <item>connection down: a grace timer starts (<see cref="SegmenterOptions.DisconnectGraceSeconds"/>); when it
/// runs out the session's job is cancelled and its reloadable state released
/// (<see cref="SessionMemory.LetGoAfterDisconnect"/>), seconds after the drop rather than at the circuit's retention;</item>
/// <item>connection up again within the grace: the timer is stopped and the job carries on;</item>
/// <item>circuit closed: the job is cancelled at once (<see cref="SessionMemory.Leave"/>); the circuit's scope is
/// disposed next, which frees the whole session.</item>
/// </list>
/// Tables, plots and the history stay for a visitor who reconnects later; the label map, the image and the model come
/// back from the spill and the store when needed.
/// </summary>
public sealed class SessionCircuitHandler : CircuitHandler, IDisposable
{
    private readonly Action _cancelJob;
    private readonly Action _circuitClosed;
    private readonly Action? _connectionBack;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionCircuitHandler>? _logger;
    private readonly object _gate = new();
    private ITimer? _timer;
    private int _generation;
    private bool _closed;

    public SessionCircuitHandler(SessionMemory session, IOptions<SegmenterOptions> options, TimeProvider time, ILogger<SessionCircuitHandler> logger)
        : this(session.LetGoAfterDisconnect, TimeSpan.FromSeconds(options.Value.DisconnectGraceSeconds), time, logger, session.VisitorReturned,
            session.Leave) { }

    /// <param name="cancelJob">Cancels the session's queued or running job (a no-op when there is none) and releases its memory.</param>
    /// <param name="connectionBack">Told when a dropped connection comes back.</param>
    /// <param name="circuitClosed">Cancels the job when the circuit closes; <paramref name="cancelJob"/> when not given.</param>
    /// <param name="grace">How long a dropped connection may stay down before the job is cancelled; zero or less cancels at once.</param>
    public SessionCircuitHandler(Action cancelJob, TimeSpan grace, TimeProvider time, ILogger<SessionCircuitHandler>? logger = null,
        Action? connectionBack = null, Action? circuitClosed = null)
    {
        _cancelJob = cancelJob;
        _circuitClosed = circuitClosed ?? cancelJob;
        _connectionBack = connectionBack;
        Grace = grace > TimeSpan.Zero ? grace : TimeSpan.Zero;
        _time = time;
        _logger = logger;
    }

    public TimeSpan Grace { get; }

    /// <summary>True while a dropped connection's grace timer runs.</summary>
    public bool GraceRunning { get { lock (_gate) return _timer is not null; } }

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        bool now = false;
        lock (_gate)
        {
            if (_closed) return Task.CompletedTask;
            StopTimer();
            if (Grace == TimeSpan.Zero) now = true;
            else
            {
                int generation = _generation;
                _timer = _time.CreateTimer(_ => GraceOver(generation), null, Grace, Timeout.InfiniteTimeSpan);
            }
        }
        if (now) Cancel("its connection went down");
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        lock (_gate) StopTimer();
        _connectionBack?.Invoke();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _closed = true;
            StopTimer();
        }
        Cancel("its circuit closed", _circuitClosed);
        return Task.CompletedTask;
    }

    private void GraceOver(int generation)
    {
        lock (_gate)
        {
            // The connection came back (or went down again and restarted the timer) after this timer fired.
            if (generation != _generation || _closed) return;
            StopTimer();
        }
        Cancel($"its connection stayed down for {Grace.TotalSeconds:0.#} s");
    }

    /// <summary>Call with the lock held.</summary>
    private void StopTimer()
    {
        _generation++;
        _timer?.Dispose();
        _timer = null;
    }

    private void Cancel(string why) => Cancel(why, _cancelJob);

    private void Cancel(string why, Action cancel)
    {
        _logger?.LogInformation("Cancelling the session's job: {Why}", why);
        try { cancel(); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            StopTimer();
        }
    }
}
