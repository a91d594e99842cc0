using Microsoft.AspNetCore.Components;
using Segmenter.Web.Services;

namespace Segmenter.Web.Components.Panels;

/// <summary>
/// A component that renders part of a <see cref="SegmentationSession"/> and re-renders whenever it changes.
/// The session raises <c>Changed</c> from the pipeline's thread; <c>InvokeAsync</c> brings it to the circuit.
/// </summary>
public abstract class SessionComponentBase : ComponentBase, IDisposable
{
    private SegmentationSession? _subscribed;

    [Parameter, EditorRequired] public SegmentationSession Session { get; set; } = null!;

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(_subscribed, Session)) return;
        if (_subscribed is not null) _subscribed.Changed -= OnSessionChanged;
        _subscribed = Session;
        _subscribed.Changed += OnSessionChanged;
    }

    private void OnSessionChanged() => _ = InvokeAsync(StateHasChanged);

    public virtual void Dispose()
    {
        if (_subscribed is not null) _subscribed.Changed -= OnSessionChanged;
        _subscribed = null;
        GC.SuppressFinalize(this);
    }
}
