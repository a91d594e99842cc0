namespace Segmenter.Web.Services;

/// <summary>
/// The session's one change notifier (scoped: one per circuit): every part of the session announces here what
/// happened, <see cref="Changed"/> once per change (the page subscribes once and turns it into
/// <c>InvokeAsync(StateHasChanged)</c>), and the current error with <see cref="ErrorRaised"/> for a snackbar.
/// Raised from any thread; a failing listener is logged, never allowed to break the work that raised it.
/// </summary>
public sealed class SessionChanges(ILogger<SessionChanges> logger) : IDisposable
{
    /// <summary>The last failure's message, as the engine worded it; cleared when a new action starts.</summary>
    public string? Error { get; internal set; }

    public event Action? Changed;
    public event Action<string>? ErrorRaised;

    /// <summary>The user dismissed the error message.</summary>
    public void ClearError()
    {
        if (Error is null) return;
        Error = null;
        RaiseChanged();
    }

    internal void RaiseChanged()
    {
        try { Changed?.Invoke(); } catch (Exception ex) { logger.LogWarning(ex, "A change listener failed"); }
    }

    /// <summary>Sets the error, tells the snackbar and announces the change.</summary>
    internal void Fail(string message)
    {
        Error = message;
        RaiseError(message);
        RaiseChanged();
    }

    internal void RaiseError(string message)
    {
        try { ErrorRaised?.Invoke(message); } catch (Exception ex) { logger.LogWarning(ex, "An error listener failed"); }
    }

    /// <summary>The session ended: nobody is told anything any more.</summary>
    public void Dispose()
    {
        Changed = null;
        ErrorRaised = null;
    }
}
