namespace Segmenter.Bench;

/// <summary>
/// The flags Chromium runs with wherever the project drives it (the end-to-end tests, the bench's page and crowd
/// commands): no sandbox (CI runs as root), no GPU (software WebGL, as CI, VMs and remote desktops draw), and none of
/// the background traffic a headless run has no use for. Written once so the bench measures the browser the tests use.
/// </summary>
public static class ChromiumFlags
{
    public static readonly string[] Args =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
}
