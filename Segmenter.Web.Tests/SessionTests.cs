using Segmenter.Engine.Pipeline;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

public class SessionTests
{
    [Fact]
    public async Task A_training_failure_is_shown_with_the_engines_message()
    {
        // Real training made to diverge: this server lets a learning rate of 1e30 through (the default form refuses it).
        using var session = TestData.Session(options: new SegmenterOptions { MaxLearningRate = 1e30 });
        session.SetImage(TestData.Image(8, 6), "x.png");
        session.Form.Epochs = 2;
        session.Form.LearningRate = 1e30;
        string? raised = null;
        session.ErrorRaised += m => raised = m;
        await session.StartAsync();
        await TestData.Until(() => session.State == SessionState.Failed);
        Assert.Contains("Training diverged in epoch", session.Error);
        await TestData.Until(() => raised is not null);
        Assert.True(session.CanStart); // the page stays usable
    }

    [Fact]
    public async Task A_visitor_beyond_the_queue_is_told_the_server_is_busy()
    {
        var runner = TestData.Runner(concurrent: 1, queue: 0);
        var release = new TaskCompletionSource();
        TestData.HoldJobs(runner, release.Task);
        using var first = TestData.Session(runner);
        using var second = TestData.Session(runner);
        first.SetImage(TestData.Image(8, 6), "a.png");
        second.SetImage(TestData.Image(8, 6), "b.png");
        Assert.True(await first.StartAsync());
        Assert.False(await second.StartAsync());
        Assert.Equal("The server is busy; try again in a minute.", second.Error);
        release.SetResult();
    }

    [Fact]
    public async Task Disposing_a_session_cancels_its_job_and_the_next_queued_one_starts()
    {
        var runner = TestData.Runner(concurrent: 1, queue: 8);
        // The first job holds its slot until cancelled; the second is let through (real training on a tiny image), and
        // its getting the slot is signalled: that is what the close promises.
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runner.BeforeWork = (job, ct) =>
        {
            if (job.Id == 1) return Task.Delay(Timeout.Infinite, ct);
            secondStarted.TrySetResult();
            return Task.CompletedTask;
        };
        var first = TestData.Session(runner);
        using var second = TestData.Session(runner);
        first.SetImage(TestData.Image(8, 6), "a.png");
        second.SetImage(TestData.Image(8, 6), "b.png");
        var ended = new List<JobFinished>();
        runner.JobEnded += e => { lock (ended) ended.Add(e); };

        await first.StartAsync();
        await TestData.Until(() => first.State == SessionState.Running);
        await second.StartAsync();
        Assert.Equal(SessionState.Queued, second.State);
        Assert.Equal(1, second.QueuePosition);

        first.Dispose(); // the circuit went away
        // The held job ends only when cancelled: the queued one starts only if the close cancels it.
        await secondStarted.Task.WaitAsync(TestData.HangGuard);
        await TestData.Until(() => second.State == SessionState.Finished);
        lock (ended) Assert.Contains(ended, e => e.Outcome == JobState.Cancelled);
        Assert.NotNull(second.Result);
    }

    [Fact]
    public async Task A_new_run_disposes_the_previous_model_a_reclustering_keeps_it_and_closing_disposes_the_last()
    {
        // The real engine on a tiny image (1 epoch): the session's result store holds the models it must free.
        var session = TestData.Session();
        session.SetImage(TestData.Bands(24, 8), "bands.png");
        session.Form.Clusters = 2;
        session.Form.Epochs = 1;
        await TestData.TrainAsync(session);
        var first = session.Result!.Model!;

        session.Form.Clusters = 3; // only the clustering changed: re-clustered on the same model, which stays
        Assert.True(await session.ReclusterAsync(), session.Error);
        await TestData.Until(() => session.State == SessionState.Finished && session.Result!.Clusters.Count == 3);
        Assert.True(session.Result!.Reclustered, session.Error);
        Assert.Same(first, session.Result.Model);
        Assert.False(first.IsDisposed);

        session.Form.Epochs = 2; // a new training: the previous model goes
        await TestData.TrainAsync(session);
        var second = session.Result!.Model!;
        Assert.NotSame(first, second);
        await TestData.Until(() => first.IsDisposed);
        Assert.False(second.IsDisposed);

        session.Dispose(); // the circuit went away
        Assert.True(second.IsDisposed);
    }

    [Fact]
    public async Task Releasing_resident_memory_disposes_the_trained_model_and_counts_its_bytes()
    {
        using var session = TestData.Session();
        session.SetImage(TestData.Bands(24, 8), "bands.png");
        session.Form.Clusters = 2;
        session.Form.Epochs = 1;
        await TestData.TrainAsync(session);
        var model = session.Result!.Model!;
        long modelBytes = model.ResidentBytes;
        Assert.True(modelBytes > 0 && session.ResidentBytes >= modelBytes);

        long freed = 0; // nothing is released while the run's scoring still leases the result
        await TestData.Until(() => (freed = session.ReleaseResident()) > 0);
        Assert.True(freed >= modelBytes);
        Assert.True(model.IsDisposed);
        Assert.Equal(2, session.Result!.Clusters.Count); // the labels and tables stay
    }

    [Fact]
    public async Task The_baselines_labels_count_against_the_budget_and_are_drawn_the_same_after_a_release()
    {
        using var session = await TrainedBands.StartAsync(clusters: 2);
        Assert.Equal(SessionState.Finished, session.State);
        var measured = session.Steering!;
        Assert.Equal(2L * TrainedBands.Width * TrainedBands.Height, measured.BaselineLabelBytes); // both baselines, one byte a pixel
        Assert.True(session.ResidentBytes >= measured.BaselineLabelBytes);
        var drawn = session.GetPng(SegmentationSession.BaselineImagePrefix + "1");
        Assert.NotNull(drawn);

        await TestData.Until(() => session.ReleaseResident() > 0);
        var released = session.Steering!;
        Assert.True(released.BaselineLabelsReleased);
        Assert.Equal(0, released.BaselineLabelBytes);
        Assert.Equal(measured.Baselines.Select(b => (b.Name, b.AriWithRun)), released.Baselines.Select(b => (b.Name, b.AriWithRun)));

        // Drawn again from the same image, k and seed: the same labels, so the same PNG; held again until the next release.
        Assert.Equal(drawn, session.GetPng(SegmentationSession.BaselineImagePrefix + "1"));
        Assert.False(session.Steering!.BaselineLabelsReleased);
        Assert.Equal(measured.BaselineLabelBytes, session.Steering.BaselineLabelBytes);
    }
}
