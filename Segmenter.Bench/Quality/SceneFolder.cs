using System.Globalization;
using Segmenter.Bench.Scenes;
using Segmenter.Engine.Imaging;

namespace Segmenter.Bench.Quality;

/// <summary>
/// Scenes with a known segmentation in the synthetic-fixture layout: <c>k.txt</c> lines "NAME K", beside
/// <c>NAME.png</c> (the image) and <c>NAME.gt.png</c> (8-bit, value = segment).
/// </summary>
internal static class SceneFolder
{
    /// <summary>The <c>--scenes</c> value that stands for the seeded generator's standard scenes (the default).</summary>
    public const string Generated = "generated";

    /// <summary>
    /// The <c>--scenes</c> values that write the natural-texture mosaics (<c>peers/texture_mosaics.py</c>) into the
    /// output folder and score them: the evaluation set, and the tuning set the Gabor baseline's settings were chosen on.
    /// </summary>
    public const string Textures = "textures", TexturesTuning = "textures-tune";

    public static readonly string[] TextureSets = [Textures, TexturesTuning];

    /// <summary><see cref="SceneGenerator.Standard"/>, drawn with the standard seed the tests use.</summary>
    public static List<(QualityInput Input, int[] Truth)> Generate() =>
        SceneGenerator.Standard.Select(r => r.Generate(SceneGenerator.StandardSeed))
            .Select(s => (new QualityInput(s.Name, s.Image, s.K, null), s.Truth)).ToList();

    /// <summary>The file naming each scene and its true k.</summary>
    public const string KFile = "k.txt";

    /// <summary>Writes the scenes in the layout <see cref="Load"/> reads (for a <c>--scenes DIR</c> of one's own); returns the folder.</summary>
    public static string Save(IReadOnlyCollection<Scene> scenes, string dir)
    {
        foreach (var scene in scenes) SceneFiles.Save(scene, dir);
        File.WriteAllLines(Path.Combine(dir, KFile), scenes.Select(s => $"{s.Name} {s.K}"));
        return dir;
    }

    public static List<(QualityInput Input, int[] Truth)> Load(string dir)
    {
        string kFile = Path.Combine(dir, KFile);
        if (!File.Exists(kFile))
            throw new UsageException($"The scenes folder '{dir}' has no k.txt (lines \"NAME K\" beside NAME.png and NAME.gt.png); pass --scenes DIR, --scenes generated or --scenes none.");
        var scenes = new List<(QualityInput, int[])>();
        foreach (var line in File.ReadAllLines(kFile))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            if (fields.Length != 2 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int k))
                throw new UsageException($"{kFile}: expected \"NAME K\" on every line; got '{line}'.");
            string image = Path.Combine(dir, fields[0] + ".png");
            var rgb = ImageLoader.Load(image);
            scenes.Add((new QualityInput(fields[0], rgb, k, image), LabelMaps.Read(Path.Combine(dir, fields[0] + ".gt.png"))));
        }
        return scenes;
    }
}
