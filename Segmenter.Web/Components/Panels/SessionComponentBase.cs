using Microsoft.AspNetCore.Components;
using Segmenter.Web.Services;

namespace Segmenter.Web.Components.Panels;

/// <summary>
/// A component that renders part of the circuit's session (the session's services it injects) and re-renders whenever
/// it changes. On the page, the page alone listens to the session's <see cref="SessionChanges"/> and cascades a new
/// <see cref="PageRevision"/> on each change, which re-renders every panel in one batch, so a change (a result with
/// its history row, say) reaches the browser at once; a panel rendered on its own (a test) listens itself. The session
/// raises its changes from the pipeline's thread; <c>InvokeAsync</c> brings them to the circuit.
/// </summary>
public abstract class SessionComponentBase : ComponentBase, IDisposable
{
    private bool _subscribed;

    /// <summary>The name of the revision a page cascades (from 1, one more per change) when it re-renders its panels on every change itself.</summary>
    public const string PageRevision = nameof(PageRevision);

    [Inject] public SessionChanges Changes { get; set; } = null!;

    /// <summary>The page's change count; 0 when no page re-renders this component (then it listens itself).</summary>
    [CascadingParameter(Name = PageRevision)] public int Revision { get; set; }

    protected override void OnParametersSet()
    {
        if (Revision > 0 || _subscribed) return;
        _subscribed = true;
        Changes.Changed += OnSessionChanged;
    }

    private void OnSessionChanged() => _ = InvokeAsync(StateHasChanged);

    public virtual void Dispose()
    {
        if (_subscribed) Changes.Changed -= OnSessionChanged;
        _subscribed = false;
        GC.SuppressFinalize(this);
    }
}
