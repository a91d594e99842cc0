using System.Reflection;

namespace Segmenter.Web.Services;

/// <summary>The sample images embedded in this assembly (logical names "samples/&lt;file&gt;").</summary>
public sealed class SampleImages
{
    private const string Prefix = "samples/";
    private static readonly Assembly Assembly = typeof(SampleImages).Assembly;

    public SampleImages()
    {
        Files = Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..])
            .OrderBy(n => n == "astronaut.png" ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>File names, e.g. "astronaut.png"; astronaut first.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>"astronaut.png" → "astronaut" (used in test ids and the UI).</summary>
    public static string NameOf(string file) => Path.GetFileNameWithoutExtension(file);

    public string? FileFor(string name)
        => Files.FirstOrDefault(f => string.Equals(NameOf(f), name, StringComparison.OrdinalIgnoreCase)
                                   || string.Equals(f, name, StringComparison.OrdinalIgnoreCase));

    public Stream? Open(string name)
        => FileFor(name) is { } f ? Assembly.GetManifestResourceStream(Prefix + f) : null;

    public static string ContentType(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    };
}
