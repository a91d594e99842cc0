using Microsoft.JSInterop;

namespace Segmenter.Web.Components.Charts;

/// <summary>
/// A chart component's handle on wwwroot/charts.js (imported once per component, cached by the browser). Calls
/// return as soon as the browser has queued the draw; a closed circuit ends them quietly, and so does a chart the
/// browser cannot draw (plotly.js not loaded, no WebGL): its panel stays empty, the visitor's circuit goes on.
/// </summary>
public sealed class ChartScript(IJSRuntime js) : IAsyncDisposable
{
    /// <summary>The module's URL, relative to the page's base.</summary>
    public const string ModulePath = "./charts.js";

    private Task<IJSObjectReference>? _module;

    public Task CallAsync(string function, params object?[] args) => CallAsync<object?>(function, args);

    /// <summary>The function's result, or <paramref name="fallback"/> when the circuit is gone.</summary>
    public async Task<T?> CallAsync<T>(string function, object?[] args, T? fallback = default)
    {
        try
        {
            var module = await (_module ??= js.InvokeAsync<IJSObjectReference>("import", ModulePath).AsTask());
            return await module.InvokeAsync<T>(function, args);
        }
        catch (Exception ex) when (ex is JSDisconnectedException or TaskCanceledException or ObjectDisposedException or JSException) { return fallback; }
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is null) return;
        try { await (await _module).DisposeAsync(); }
        catch (Exception ex) when (ex is JSDisconnectedException or TaskCanceledException or ObjectDisposedException or JSException) { }
    }
}
