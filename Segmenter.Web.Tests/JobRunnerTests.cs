using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

public class JobRunnerTests
{
    private static readonly TimeSpan Wait = TestData.HangGuard;

    /// <summary>A job that runs until released or cancelled, and says when it started.</summary>
    private sealed class Gate
    {
        public readonly TaskCompletionSource Started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Work(CancellationToken ct)
        {
            Started.TrySetResult();
            await Release.Task.WaitAsync(ct);
        }
    }

    [Fact]
    public async Task Runs_at_most_the_configured_number_of_jobs_at_once()
    {
        var runner = TestData.Runner(concurrent: 2, queue: 8);
        var gates = Enumerable.Range(0, 4).Select(_ => new Gate()).ToArray();
        var jobs = gates.Select((g, i) => runner.Submit($"job{i}", g.Work)).ToArray();

        await Task.WhenAll(gates[0].Started.Task, gates[1].Started.Task).WaitAsync(Wait);
        Assert.Equal(2, runner.Running);
        Assert.Equal(2, runner.Queued);
        Assert.False(gates[2].Started.Task.IsCompleted);
        Assert.Equal(JobState.Queued, jobs[2].State);

        gates[0].Release.SetResult();
        await gates[2].Started.Task.WaitAsync(Wait);
        Assert.Equal(JobState.Completed, await jobs[0].Completion.WaitAsync(Wait));
        Assert.Equal(2, runner.Running);
        Assert.Equal(1, runner.Queued);

        foreach (var g in gates) g.Release.TrySetResult();
        await Task.WhenAll(jobs.Select(j => j.Completion)).WaitAsync(Wait);
        Assert.Equal(0, runner.Running);
        Assert.Equal(0, runner.Queued);
    }

    [Fact]
    public async Task The_before_work_hook_holds_the_slot_until_released_and_a_throwing_hook_fails_the_job_without_its_work()
    {
        var runner = TestData.Runner(concurrent: 1, queue: 8);
        var release = new TaskCompletionSource();
        TestData.HoldJobs(runner, release.Task);
        int worked = 0;
        var held = runner.Submit("held", _ => { Interlocked.Increment(ref worked); return Task.CompletedTask; });
        var next = runner.Submit("next", _ => { Interlocked.Increment(ref worked); return Task.CompletedTask; });
        await TestData.Until(() => held.State == JobState.Running);
        Assert.Equal((0, JobState.Queued), (worked, next.State));

        release.SetResult();
        Assert.Equal(JobState.Completed, await next.Completion.WaitAsync(Wait));
        Assert.Equal(2, worked);

        runner.BeforeWork = (_, _) => throw new InvalidOperationException("refused");
        var failed = runner.Submit("failed", _ => { Interlocked.Increment(ref worked); return Task.CompletedTask; });
        Assert.Equal(JobState.Failed, await failed.Completion.WaitAsync(Wait));
        Assert.Equal(2, worked);
    }

    [Fact]
    public async Task A_full_queue_refuses_at_once_with_the_busy_message()
    {
        var runner = TestData.Runner(concurrent: 1, queue: 2);
        var gate = new Gate();
        runner.Submit("running", gate.Work);
        runner.Submit("q1", gate.Work);
        runner.Submit("q2", gate.Work);

        var ex = Assert.Throws<ServerBusyException>(() => runner.Submit("q3", gate.Work));
        Assert.Equal("The server is busy; try again in a minute.", ex.Message);
        Assert.Equal(1, runner.Running);
        Assert.Equal(2, runner.Queued);
        gate.Release.SetResult();
    }

    [Fact]
    public async Task Queue_positions_move_up_as_jobs_ahead_leave()
    {
        var runner = TestData.Runner(concurrent: 1, queue: 8);
        var first = new Gate();
        var second = new Gate();
        var third = new Gate();
        var j1 = runner.Submit("first", first.Work);
        var j2 = runner.Submit("second", second.Work);
        var j3 = runner.Submit("third", third.Work);
        await first.Started.Task.WaitAsync(Wait);
        Assert.Equal(1, j2.QueuePosition);
        Assert.Equal(2, j3.QueuePosition);

        var moved = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        j3.Changed += j => { if (j.QueuePosition == 1) moved.TrySetResult(j.QueuePosition); };
        first.Release.SetResult();
        await second.Started.Task.WaitAsync(Wait);
        Assert.Equal(1, await moved.Task.WaitAsync(Wait));
        Assert.Equal(0, j2.QueuePosition);
        Assert.Equal(JobState.Running, j2.State);

        second.Release.SetResult();
        third.Release.SetResult();
        await j3.Completion.WaitAsync(Wait);
    }

    [Fact]
    public async Task Cancelling_a_queued_job_removes_it_and_moves_those_behind_it()
    {
        var runner = TestData.Runner(concurrent: 1, queue: 8);
        var gate = new Gate();
        var behind = new Gate();
        var running = runner.Submit("running", gate.Work);
        var queued = runner.Submit("queued", _ => throw new InvalidOperationException("must never run"));
        var last = runner.Submit("last", behind.Work);
        var ended = new List<JobFinished>();
        runner.JobEnded += e => { lock (ended) ended.Add(e); };

        queued.Cancel();
        Assert.Equal(JobState.Cancelled, await queued.Completion.WaitAsync(Wait));
        Assert.Equal(1, last.QueuePosition);
        Assert.Equal(1, runner.Queued);
        lock (ended) Assert.Contains(ended, e => e.Name == "queued" && e.Outcome == JobState.Cancelled);

        gate.Release.SetResult();
        await behind.Started.Task.WaitAsync(Wait); // the cancelled job was skipped
        behind.Release.SetResult();
        Assert.Equal(JobState.Completed, await last.Completion.WaitAsync(Wait));
    }

    [Fact]
    public async Task Cancelling_a_running_job_stops_it_and_starts_the_next()
    {
        var runner = TestData.Runner(concurrent: 1, queue: 8);
        var gate = new Gate();
        var next = new Gate();
        var running = runner.Submit("running", gate.Work);
        var queued = runner.Submit("next", next.Work);
        await gate.Started.Task.WaitAsync(Wait);

        running.Cancel();
        Assert.Equal(JobState.Cancelled, await running.Completion.WaitAsync(Wait));
        await next.Started.Task.WaitAsync(Wait);
        Assert.Equal(JobState.Running, queued.State);
        next.Release.SetResult();
        Assert.Equal(JobState.Completed, await queued.Completion.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_failing_job_reports_failure_and_frees_its_slot()
    {
        var runner = TestData.Runner();
        var failed = runner.Submit("boom", _ => throw new InvalidOperationException("boom"));
        Assert.Equal(JobState.Failed, await failed.Completion.WaitAsync(Wait));
        var ok = runner.Submit("ok", _ => Task.CompletedTask);
        Assert.Equal(JobState.Completed, await ok.Completion.WaitAsync(Wait));
    }
}
