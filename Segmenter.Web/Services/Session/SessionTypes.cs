namespace Segmenter.Web.Services;

public enum SessionState { Idle, Queued, Running, Finished, Failed, Cancelled }

public enum ResultView { MeanColours, Palette, Boundaries }

/// <summary>What the session's current (or last) job does.</summary>
public enum SessionActivity { Training, Reclustering, SweepingK, FineTuning }

/// <summary>How pixel (X, Y) of the image attends over its window, per head (row-major Window × Window); Maps is null for window 1.</summary>
public sealed record AttentionInsight(int X, int Y, int Window, float[][]? Maps)
{
    /// <summary>
    /// The image pixel under a click at (offsetX, offsetY) on an element showing the image at shownWidth × shownHeight
    /// (CSS pixels); the natural size is assumed when the shown size is unknown (0).
    /// </summary>
    public static (int X, int Y) PixelAt(double offsetX, double offsetY, double shownWidth, double shownHeight, int width, int height)
    {
        double sx = shownWidth > 0 ? width / shownWidth : 1, sy = shownHeight > 0 ? height / shownHeight : 1;
        int x = (int)Math.Floor(offsetX * sx), y = (int)Math.Floor(offsetY * sy);
        return (Math.Clamp(x, 0, width - 1), Math.Clamp(y, 0, height - 1));
    }
}
