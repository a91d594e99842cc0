using System.Diagnostics;
using System.Globalization;
using System.Text;
using Segmenter.Engine;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench;

/// <summary>
/// Several images (or the images of a folder) in one call: one output folder per image, a progress line per image,
/// and <c>summary.csv</c>. An image that cannot be segmented is reported in its line and the CSV and the batch goes on.
/// </summary>
internal static class SegmentBatch
{
    public const string SummaryFile = "summary.csv";

    private static readonly string[] Columns =
        ["image", "status", "output", "width", "height", "clusters", "final_loss", "inertia", "total_seconds", "message"];

    /// <summary>Files as given; a folder gives its files whose first bytes are an image the loader reads, by name.</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        foreach (var arg in arguments)
        {
            if (!Directory.Exists(arg)) { files.Add(arg); continue; }
            var images = Directory.EnumerateFiles(arg).Order(StringComparer.Ordinal).Where(LooksLikeImage).ToList();
            if (images.Count == 0) throw new UsageException($"The folder '{arg}' holds no PNG, JPEG, BMP, GIF or WebP image.");
            files.AddRange(images);
        }
        return files;
    }

    private static bool LooksLikeImage(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            var header = new byte[ImageFormatSniffer.HeaderLength];
            int read = f.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            return ImageFormatSniffer.Detect(header.AsSpan(0, read)) != SniffedFormat.Unknown;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public static int Run(IReadOnlyList<string> images, string outDir, SegmentCommand.Segmenter segmenter)
    {
        Directory.CreateDirectory(outDir);
        var csv = new StringBuilder(string.Join(',', Columns)).Append("\r\n");
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int failedCode = Program.Ok;
        for (int i = 0; i < images.Count; i++)
        {
            string image = images[i], name = Path.GetFileName(image);
            string folder = FolderFor(image, used);
            string target = Path.Combine(outDir, folder);
            string prefix = $"[{i + 1}/{images.Count}] {name}";
            var clock = Stopwatch.StartNew();
            try
            {
                var r = segmenter.Segment(image, target, verbose: false);
                using var model = r.Model;
                double seconds = clock.Elapsed.TotalSeconds;
                Console.WriteLine($"{prefix}: {r.Width}×{r.Height}, k={r.Parameters.Clusters}, final loss {r.FinalLoss:0.000000}, " +
                                  $"{seconds:0.00} s -> {target}");
                csv.Append(Row(image, "ok", folder, r.Width, r.Height, r.Parameters.Clusters, r.FinalLoss, r.Inertia, seconds, ""));
            }
            catch (Exception e) when (Program.ExitCodeFor(e) is { } code)
            {
                string message = Program.MessageFor(e);
                Console.WriteLine($"{prefix}: failed: {message}");
                csv.Append(Row(image, "failed", "", null, null, null, null, null, clock.Elapsed.TotalSeconds, message));
                if (failedCode == Program.Ok) failedCode = code;
            }
        }
        string summary = Path.Combine(outDir, SummaryFile);
        File.WriteAllText(summary, csv.ToString());
        Console.WriteLine($"wrote {summary}");
        return failedCode;
    }

    /// <summary>The image's name without extension, made unique within the batch ("a", "a-2").</summary>
    private static string FolderFor(string image, HashSet<string> used)
    {
        string stem = Path.GetFileNameWithoutExtension(image) is { Length: > 0 } s ? s : "image";
        string folder = stem;
        for (int n = 2; !used.Add(folder); n++) folder = $"{stem}-{n}";
        return folder;
    }

    private static string Row(string image, string status, string output, int? width, int? height, int? clusters,
        double? finalLoss, double? inertia, double seconds, string message)
    {
        static string N(double? v) => v is { } d && double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";
        string[] cells =
        [
            CsvCell.Text(Path.GetFullPath(image)), status, CsvCell.Text(output), N(width), N(height), N(clusters),
            N(finalLoss), N(inertia), seconds.ToString("0.000", CultureInfo.InvariantCulture), CsvCell.Text(message),
        ];
        return string.Join(',', cells) + "\r\n";
    }
}
