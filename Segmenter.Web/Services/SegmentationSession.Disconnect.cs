namespace Segmenter.Web.Services;

/// <summary>
/// A visitor whose connection stayed down past the grace (<see cref="SessionCircuitHandler"/>): Blazor keeps the
/// circuit, and with it this session, for its retention (minutes) in case they come back, but the session does not
/// keep its heavy state that long. The job is cancelled and the reloadable state (<see cref="ReleaseResident"/>:
/// model, encoded PNGs, the stored upload's decoded image) is given up at once, or as soon as the cancelled job has
/// ended; labels, tables and plots stay, so a visitor who does come back sees the page as it was.
/// </summary>
public sealed partial class SegmentationSession
{
    private volatile bool _visitorGone;

    /// <summary>The connection stayed down past the grace: cancel the job and release what can be reloaded.</summary>
    public void LetGoAfterDisconnect()
    {
        _visitorGone = true;
        Cancel();
        ReleaseIfVisitorGone();   // at once when idle; else EndJob calls it when the cancelled job has ended
    }

    /// <summary>The connection is back: state released meanwhile is reloaded on demand, later jobs keep theirs.</summary>
    public void VisitorReturned() => _visitorGone = false;

    /// <summary>Hook at the end of a job: releases the state of a session whose visitor went away while it ran.</summary>
    private void ReleaseIfVisitorGone()
    {
        if (!_visitorGone || IsBusy) return;
        long freed = ReleaseResident();
        if (freed <= 0) return;
        _logger.LogInformation("Released {Freed:0.0} MB of a session whose connection stayed down", freed / 1048576.0);
        _budget?.ScheduleReturn();   // hand the memory back to the OS, not only to the heap
    }
}
