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
        session.Image.Set(TestData.Image(8, 6), "x.png");
        session.Settings.Form.Epochs = 2;
        session.Settings.Form.LearningRate = 1e30;
        string? raised = null;
        session.Changes.ErrorRaised += m => raised = m;
        await session.Runs.StartAsync();
        await TestData.Until(() => session.Jobs.State == SessionState.Failed);
        Assert.Contains("Training diverged in epoch", session.Changes.Error);
        await TestData.Until(() => raised is not null);
        Assert.True(session.Runs.CanStart); // the page stays usable
    }

    [Fact]
    public async Task A_visitor_beyond_the_queue_is_told_the_server_is_busy()
    {
        var runner = TestData.Runner(concurrent: 1, queue: 0);
        var release = new TaskCompletionSource();
        TestData.HoldJobs(runner, release.Task);
        using var first = TestData.Session(runner);
        using var second = TestData.Session(runner);
        first.Image.Set(TestData.Image(8, 6), "a.png");
        second.Image.Set(TestData.Image(8, 6), "b.png");
        Assert.True(await first.Runs.StartAsync());
        Assert.False(await second.Runs.StartAsync());
        Assert.Equal("The server is busy; try again in a minute.", second.Changes.Error);
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
        first.Image.Set(TestData.Image(8, 6), "a.png");
        second.Image.Set(TestData.Image(8, 6), "b.png");
        var ended = new List<JobFinished>();
        runner.JobEnded += e => { lock (ended) ended.Add(e); };

        await first.Runs.StartAsync();
        await TestData.Until(() => first.Jobs.State == SessionState.Running);
        await second.Runs.StartAsync();
        Assert.Equal(SessionState.Queued, second.Jobs.State);
        Assert.Equal(1, second.Jobs.QueuePosition);

        first.Dispose(); // the circuit went away
        // The held job ends only when cancelled: the queued one starts only if the close cancels it.
        await secondStarted.Task.WaitAsync(TestData.HangGuard);
        await TestData.Until(() => second.Jobs.State == SessionState.Finished);
        lock (ended) Assert.Contains(ended, e => e.Outcome == JobState.Cancelled);
        Assert.NotNull(second.Current.Result);
    }

    [Fact]
    public async Task A_new_run_disposes_the_previous_model_a_reclustering_keeps_it_and_closing_disposes_the_last()
    {
        // The real engine on a tiny image (1 epoch): the session's result store holds the models it must free.
        var session = TestData.Session();
        session.Image.Set(TestData.Bands(24, 8), "bands.png");
        session.Settings.Form.Clusters = 2;
        session.Settings.Form.Epochs = 1;
        await TestData.TrainAsync(session);
        var first = session.Current.Result!.Model!;

        session.Settings.Form.Clusters = 3; // only the clustering changed: re-clustered on the same model, which stays
        Assert.True(await session.Runs.ReclusterAsync(), session.Changes.Error);
        await TestData.Until(() => session.Jobs.State == SessionState.Finished && session.Current.Result!.Clusters.Count == 3);
        Assert.True(session.Current.Result!.Reclustered, session.Changes.Error);
        Assert.Same(first, session.Current.Result.Model);
        Assert.False(first.IsDisposed);

        session.Settings.Form.Epochs = 2; // a new training: the previous model goes
        await TestData.TrainAsync(session);
        var second = session.Current.Result!.Model!;
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
        session.Image.Set(TestData.Bands(24, 8), "bands.png");
        session.Settings.Form.Clusters = 2;
        session.Settings.Form.Epochs = 1;
        await TestData.TrainAsync(session);
        var model = session.Current.Result!.Model!;
        long modelBytes = model.ResidentBytes;
        Assert.True(modelBytes > 0 && session.Memory.ResidentBytes >= modelBytes);

        long freed = 0; // nothing is released while the run's scoring still leases the result
        await TestData.Until(() => (freed = session.Memory.ReleaseResident()) > 0);
        Assert.True(freed >= modelBytes);
        Assert.True(model.IsDisposed);
        Assert.Equal(2, session.Current.Result!.Clusters.Count); // the labels and tables stay
    }

    [Fact]
    public async Task The_baselines_labels_count_against_the_budget_and_are_drawn_the_same_after_a_release()
    {
        using var session = await TrainedBands.StartAsync(clusters: 2);
        Assert.Equal(SessionState.Finished, session.Jobs.State);
        var measured = session.Assessment.Steering!;
        Assert.Equal(2L * TrainedBands.Width * TrainedBands.Height, measured.BaselineLabelBytes); // both baselines, one byte a pixel
        Assert.True(session.Memory.ResidentBytes >= measured.BaselineLabelBytes);
        var drawn = session.Files.GetPng(ResultImage.Baseline(1));
        Assert.NotNull(drawn);

        await TestData.Until(() => session.Memory.ReleaseResident() > 0);
        var released = session.Assessment.Steering!;
        Assert.True(released.BaselineLabelsReleased);
        Assert.Equal(0, released.BaselineLabelBytes);
        Assert.Equal(measured.Baselines.Select(b => (b.Name, b.AriWithRun)), released.Baselines.Select(b => (b.Name, b.AriWithRun)));

        // Drawn again from the same image, k and seed: the same labels, so the same PNG; held again until the next release.
        Assert.Equal(drawn, session.Files.GetPng(ResultImage.Baseline(1)));
        Assert.False(session.Assessment.Steering!.BaselineLabelsReleased);
        Assert.Equal(measured.BaselineLabelBytes, session.Assessment.Steering.BaselineLabelBytes);
    }
}
