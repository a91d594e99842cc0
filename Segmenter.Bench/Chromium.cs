namespace Segmenter.Bench;

/// <summary>
/// The Chromium the project drives (the end-to-end tests, the bench's page and crowd commands), found and started
/// alike everywhere so the bench measures the browser the tests use.
/// </summary>
public static class Chromium
{
    /// <summary>
    /// No sandbox (CI runs as root), no GPU (software WebGL, as CI, VMs and remote desktops draw), and none of the
    /// background traffic a headless run has no use for.
    /// </summary>
    public static readonly string[] Flags =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    public const string InstallHint = "install it with `apt-get install -y chromium` (or set SEGMENTER_CHROMIUM to a Chromium binary)";

    private static readonly string[] KnownPaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

    /// <summary>
    /// The binary <paramref name="given"/> names, else SEGMENTER_CHROMIUM's, else the first of the usual paths; null when
    /// none exists. A binary named but missing is not replaced by another: whoever named it meant that one.
    /// </summary>
    public static string? Find(string? given = null)
    {
        var named = !string.IsNullOrWhiteSpace(given) ? given : Environment.GetEnvironmentVariable("SEGMENTER_CHROMIUM");
        if (!string.IsNullOrWhiteSpace(named)) return File.Exists(named) ? named : null;
        return KnownPaths.FirstOrDefault(File.Exists);
    }

    /// <summary>Why <see cref="Find"/> found nothing, in one line.</summary>
    public static string NotFound(string? given = null)
    {
        var named = !string.IsNullOrWhiteSpace(given) ? given : Environment.GetEnvironmentVariable("SEGMENTER_CHROMIUM");
        return !string.IsNullOrWhiteSpace(named) ? $"No Chromium at {named}." : $"No Chromium found: {InstallHint}.";
    }
}
