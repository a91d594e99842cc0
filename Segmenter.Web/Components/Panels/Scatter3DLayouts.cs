using Plotly.Blazor;
using PlotLayout = Plotly.Blazor.Layout;

using Plotly.Blazor.LayoutLib.SceneLib;

namespace Segmenter.Web.Components.Panels;

/// <summary>Layouts of the two rotatable 3D scatters.</summary>
internal static class Scatter3DLayouts
{
    public static PlotLayout Rgb() => new()
    {
        Height = 340,
        Margin = new Plotly.Blazor.LayoutLib.Margin { L = 0, R = 0, T = 0, B = 0 },
        ShowLegend = false,
        Scene =
        [new Plotly.Blazor.LayoutLib.Scene
        {
            XAxis = new XAxis { Title = new Plotly.Blazor.LayoutLib.SceneLib.XAxisLib.Title { Text = "R" }, Range = [0, 255] },
            YAxis = new YAxis { Title = new Plotly.Blazor.LayoutLib.SceneLib.YAxisLib.Title { Text = "G" }, Range = [0, 255] },
            ZAxis = new ZAxis { Title = new Plotly.Blazor.LayoutLib.SceneLib.ZAxisLib.Title { Text = "B" }, Range = [0, 255] },
        }],
    };

    public static PlotLayout Codes() => new()
    {
        Height = 340,
        Margin = new Plotly.Blazor.LayoutLib.Margin { L = 0, R = 0, T = 0, B = 0 },
        ShowLegend = false,
        Scene =
        [new Plotly.Blazor.LayoutLib.Scene
        {
            XAxis = new XAxis { Title = new Plotly.Blazor.LayoutLib.SceneLib.XAxisLib.Title { Text = "PC 1" } },
            YAxis = new YAxis { Title = new Plotly.Blazor.LayoutLib.SceneLib.YAxisLib.Title { Text = "PC 2" } },
            ZAxis = new ZAxis { Title = new Plotly.Blazor.LayoutLib.SceneLib.ZAxisLib.Title { Text = "PC 3" } },
        }],
    };
}
