using Segmenter.Engine.Imaging;

namespace Segmenter.Bench.Scenes;

/// <summary>A scene on disk, laid out like ../shared/fixtures/synthetic: NAME.png and NAME.gt.png (8-bit, value = segment).</summary>
public static class SceneFiles
{
    /// <summary>Writes the scene's image and ground truth into <paramref name="directory"/>; returns the image's path.</summary>
    public static string Save(Scene scene, string directory)
    {
        Directory.CreateDirectory(directory);
        string imagePath = Path.Combine(directory, scene.Name + ".png");
        using (var f = File.Create(imagePath)) ImageLoader.SavePng(scene.Image, f);
        using (var f = File.Create(TruthPath(directory, scene.Name)))
            ImageLoader.SaveLabelPng(scene.Truth.Select(t => checked((byte)t)).ToArray(), scene.Width, scene.Height, f);
        return imagePath;
    }

    public static string TruthPath(string directory, string name) => Path.Combine(directory, name + ".gt.png");
}
