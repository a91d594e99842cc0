using Microsoft.AspNetCore.Components;
using Segmenter.Web.Services;

namespace Segmenter.Web.Components.Panels;

/// <summary>
/// A component that renders part of a <see cref="SegmentationSession"/> and re-renders whenever it changes.
/// On the page, the page alone listens and re-renders its panels in one batch, so a change (a result with its
/// history row, say) reaches the browser at once; a panel rendered on its own (a test) listens itself.
/// The session raises <c>Changed</c> from the pipeline's thread; <c>InvokeAsync</c> brings it to the circuit.
/// </summary>
public abstract class SessionComponentBase : ComponentBase, IDisposable
{
    private SegmentationSession? _subscribed;

    /// <summary>The name of the cascading flag a page sets when it re-renders its panels on every change itself.</summary>
    public const string RenderedByPage = nameof(RenderedByPage);

    [Parameter, EditorRequired] public SegmentationSession Session { get; set; } = null!;

    [CascadingParameter(Name = RenderedByPage)] public bool PageRenders { get; set; }

    protected override void OnParametersSet()
    {
        if (PageRenders || ReferenceEquals(_subscribed, Session)) return;
        if (_subscribed is not null) _subscribed.Changes.Changed -= OnSessionChanged;
        _subscribed = Session;
        _subscribed.Changes.Changed += OnSessionChanged;
    }

    private void OnSessionChanged() => _ = InvokeAsync(StateHasChanged);

    public virtual void Dispose()
    {
        if (_subscribed is not null) _subscribed.Changes.Changed -= OnSessionChanged;
        _subscribed = null;
        GC.SuppressFinalize(this);
    }
}
