namespace Segmenter.Web.Services;

/// <summary>
/// The one place a session's parts announce what happened: <see cref="Changed"/> once per change (components turn
/// it into <c>InvokeAsync(StateHasChanged)</c>), and the current error with <see cref="ErrorRaised"/> for a snackbar.
/// Raised from any thread; a failing listener is logged, never allowed to break the work that raised it.
/// </summary>
internal sealed class SessionSignals(ILogger logger)
{
    /// <summary>The last failure's message, as the engine worded it; cleared when a new action starts.</summary>
    public string? Error { get; set; }

    public event Action? Changed;
    public event Action<string>? ErrorRaised;

    public void RaiseChanged()
    {
        try { Changed?.Invoke(); } catch (Exception ex) { logger.LogWarning(ex, "A change listener failed"); }
    }

    /// <summary>Sets the error, tells the snackbar and announces the change.</summary>
    public void Fail(string message)
    {
        Error = message;
        RaiseError(message);
        RaiseChanged();
    }

    public void RaiseError(string message)
    {
        try { ErrorRaised?.Invoke(message); } catch (Exception ex) { logger.LogWarning(ex, "An error listener failed"); }
    }

    /// <summary>The session ended: nobody is told anything any more.</summary>
    public void Detach()
    {
        Changed = null;
        ErrorRaised = null;
    }
}
