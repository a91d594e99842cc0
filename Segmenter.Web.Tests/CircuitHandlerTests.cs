using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>
/// The circuit handler's rules, called directly with a counting "session" and a hand-driven clock: no browser, no
/// real timers, so every outcome is decided by the test's own steps.
/// </summary>
public class CircuitHandlerTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    // The handler ignores the circuit (Circuit has no public constructor).
    private static readonly Circuit NoCircuit = null!;

    private readonly ManualTime _time = new();
    private int _cancels;

    private SessionCircuitHandler Handler(TimeSpan? grace = null) => new(() => _cancels++, grace ?? Grace, _time);

    [Fact]
    public async Task A_dropped_connection_cancels_the_job_when_the_grace_runs_out()
    {
        using var handler = Handler();
        await handler.OnConnectionDownAsync(NoCircuit, default);
        Assert.True(handler.GraceRunning);
        _time.Advance(Grace - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _cancels);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _cancels);
        Assert.False(handler.GraceRunning);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, _cancels);
    }

    [Fact]
    public async Task A_connection_back_within_the_grace_keeps_the_job()
    {
        using var handler = Handler();
        await handler.OnConnectionDownAsync(NoCircuit, default);
        _time.Advance(TimeSpan.FromSeconds(4));
        await handler.OnConnectionUpAsync(NoCircuit, default);
        Assert.False(handler.GraceRunning);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, _cancels);
    }

    [Fact]
    public async Task A_second_drop_gets_a_fresh_grace()
    {
        using var handler = Handler();
        await handler.OnConnectionDownAsync(NoCircuit, default);
        _time.Advance(TimeSpan.FromSeconds(4));
        await handler.OnConnectionUpAsync(NoCircuit, default);
        await handler.OnConnectionDownAsync(NoCircuit, default);
        _time.Advance(TimeSpan.FromSeconds(4)); // 8 s since the first drop, 4 s since this one
        Assert.Equal(0, _cancels);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _cancels);
    }

    [Fact]
    public async Task A_closed_circuit_cancels_at_once_and_only_once()
    {
        using var handler = Handler();
        await handler.OnConnectionDownAsync(NoCircuit, default);
        await handler.OnCircuitClosedAsync(NoCircuit, default);
        Assert.Equal(1, _cancels);
        Assert.False(handler.GraceRunning);
        _time.Advance(TimeSpan.FromMinutes(5)); // the stopped grace timer does not cancel again
        await handler.OnConnectionDownAsync(NoCircuit, default);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, _cancels);
    }

    [Fact]
    public async Task No_grace_cancels_as_soon_as_the_connection_drops()
    {
        using var handler = Handler(TimeSpan.Zero);
        await handler.OnConnectionDownAsync(NoCircuit, default);
        Assert.Equal(1, _cancels);
        Assert.False(handler.GraceRunning);
    }

    [Fact]
    public async Task A_timer_that_fires_after_the_connection_came_back_does_nothing()
    {
        using var handler = Handler();
        await handler.OnConnectionDownAsync(NoCircuit, default);
        var late = _time.PendingCallbacks.Single(); // as if the pool thread ran the callback after OnConnectionUp
        await handler.OnConnectionUpAsync(NoCircuit, default);
        late();
        Assert.Equal(0, _cancels);
    }

    [Fact]
    public void The_grace_defaults_to_five_seconds_from_the_options()
    {
        var options = new SegmenterOptions();
        Assert.Equal(5, options.DisconnectGraceSeconds);
        using var session = TestData.Session();
        using var handler = new SessionCircuitHandler(session.Memory, Options.Create(options), _time, NullLogger<SessionCircuitHandler>.Instance);
        Assert.Equal(Grace, handler.Grace);
    }

    [Fact]
    public async Task A_real_sessions_running_job_is_cancelled_after_the_grace_and_frees_the_slot()
    {
        var runner = TestData.Runner(concurrent: 1);
        runner.BeforeWork = (_, ct) => Task.Delay(Timeout.Infinite, ct); // the job holds its slot until cancelled
        using var session = TestData.Session(runner);
        session.Image.Set(TestData.Image(8, 6), "a.png");
        using var handler = new SessionCircuitHandler(session.Memory, Options.Create(new SegmenterOptions { DisconnectGraceSeconds = 5 }), _time,
            NullLogger<SessionCircuitHandler>.Instance);
        Assert.True(await session.Runs.StartAsync());
        await TestData.Until(() => session.Jobs.State == SessionState.Running);

        await handler.OnConnectionDownAsync(NoCircuit, default);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(SessionState.Running, session.Jobs.State);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await TestData.Until(() => session.Jobs.State == SessionState.Cancelled && runner.Running == 0);
        Assert.Null(session.Changes.Error);
        Assert.True(session.Runs.CanStart); // a visitor who comes back can train again
    }

    [Fact]
    public async Task A_real_sessions_job_survives_a_short_drop()
    {
        var runner = TestData.Runner(concurrent: 1);
        var release = new TaskCompletionSource();
        TestData.HoldJobs(runner, release.Task);
        using var session = TestData.Session(runner);
        session.Image.Set(TestData.Image(8, 6), "a.png");
        using var handler = new SessionCircuitHandler(session.Memory, Options.Create(new SegmenterOptions()), _time, NullLogger<SessionCircuitHandler>.Instance);
        Assert.True(await session.Runs.StartAsync());
        await TestData.Until(() => session.Jobs.State == SessionState.Running);

        await handler.OnConnectionDownAsync(NoCircuit, default);
        _time.Advance(TimeSpan.FromSeconds(2));
        await handler.OnConnectionUpAsync(NoCircuit, default);
        _time.Advance(TimeSpan.FromMinutes(1));
        release.SetResult();
        await TestData.Until(() => session.Jobs.State == SessionState.Finished);
        Assert.NotNull(session.Current.Result);
    }


    /// <summary>A clock that moves only when told; its timers fire synchronously inside <see cref="Advance"/>.</summary>
    internal sealed class ManualTime : TimeProvider
    {
        private readonly List<ManualTimer> _timers = [];
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(this, callback, state);
            timer.Change(dueTime, period);
            return timer;
        }

        /// <summary>The callbacks of the timers still due, to run by hand.</summary>
        public IEnumerable<Action> PendingCallbacks
        {
            get { lock (_timers) return _timers.Where(t => t.Due is not null).Select(t => (Action)t.Fire).ToArray(); }
        }

        public void Advance(TimeSpan by)
        {
            _now += by;
            while (true)
            {
                ManualTimer? next;
                lock (_timers) next = _timers.Where(t => t.Due <= _now).OrderBy(t => t.Due).FirstOrDefault();
                if (next is null) return;
                next.Fire();
            }
        }

        private sealed class ManualTimer(ManualTime time, TimerCallback callback, object? state) : ITimer
        {
            private TimeSpan _period;
            public DateTimeOffset? Due { get; private set; }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                lock (time._timers)
                {
                    _period = period;
                    Due = dueTime == Timeout.InfiniteTimeSpan ? null : time._now + dueTime;
                    if (!time._timers.Contains(this)) time._timers.Add(this);
                }
                return true;
            }

            public void Fire()
            {
                lock (time._timers) Due = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : time._now + _period;
                callback(state);
            }

            public void Dispose() { lock (time._timers) { Due = null; time._timers.Remove(this); } }
            public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
        }
    }
}
