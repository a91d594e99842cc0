using Segmenter.Engine.Imaging;

namespace Segmenter.Bench.Scenes;

/// <summary>
/// A generated test image with its ground truth: <see cref="Truth"/> holds one segment index (0…K−1) per pixel,
/// row-major like <see cref="RgbImage.Pixels"/>, and every index occurs.
/// </summary>
public sealed record Scene(string Name, RgbImage Image, int[] Truth, int K)
{
    public int Width => Image.Width;
    public int Height => Image.Height;
}

/// <summary>One entry of <see cref="SceneGenerator.Standard"/>: a named recipe that draws its scene from a seed.</summary>
public sealed record SceneRecipe(string Name, int K, int Width, int Height, string Description, Func<int, Scene> Generate);
