using System.Globalization;

namespace Segmenter.Web.Services;

/// <summary>What a session's image shows.</summary>
public enum ResultImageKind { Original, Segmented, MeanColours, Palette, Boundaries, Labels, Highlight, Baseline, StabilityMap }

/// <summary>
/// One image a session serves (<c>/image/{session}/{name}.png</c>): the original, the segmented image in the chosen
/// view or in one view, the label map, one cluster highlighted, a colour baseline, the stability map. Its
/// <see cref="Name"/> is the URL's; <see cref="Index"/> is the cluster of a highlight or the baseline's place.
/// </summary>
public readonly record struct ResultImage(ResultImageKind Kind, int Index = 0)
{
    public static readonly ResultImage Original = new(ResultImageKind.Original);
    /// <summary>The result in the session's current view (<see cref="ResultView"/>).</summary>
    public static readonly ResultImage Segmented = new(ResultImageKind.Segmented);
    public static readonly ResultImage MeanColours = new(ResultImageKind.MeanColours);
    public static readonly ResultImage Palette = new(ResultImageKind.Palette);
    public static readonly ResultImage Boundaries = new(ResultImageKind.Boundaries);
    /// <summary>The label map as a greyscale PNG (the value is the cluster).</summary>
    public static readonly ResultImage Labels = new(ResultImageKind.Labels);
    public static readonly ResultImage StabilityMap = new(ResultImageKind.StabilityMap);

    /// <summary>The original with one cluster at full colour and the others dimmed.</summary>
    public static ResultImage Highlight(int cluster) => new(ResultImageKind.Highlight, cluster);

    /// <summary>A colour baseline's labels (its place in the assessment's list).</summary>
    public static ResultImage Baseline(int index) => new(ResultImageKind.Baseline, index);

    private static readonly (ResultImageKind Kind, string Name)[] Names =
    [
        (ResultImageKind.Original, "original"), (ResultImageKind.Segmented, "segmented"), (ResultImageKind.MeanColours, "mean"),
        (ResultImageKind.Palette, "palette"), (ResultImageKind.Boundaries, "boundaries"), (ResultImageKind.Labels, "labels"),
        (ResultImageKind.Highlight, "highlight-"), (ResultImageKind.Baseline, "baseline-"), (ResultImageKind.StabilityMap, "stability-map"),
    ];

    private bool Indexed => Kind is ResultImageKind.Highlight or ResultImageKind.Baseline;

    /// <summary>The name in the image's URL ("mean", "highlight-2", "baseline-1").</summary>
    public string Name
    {
        get
        {
            var kind = Kind;
            var name = Names.First(n => n.Kind == kind).Name;
            return Indexed ? name + Index.ToString(CultureInfo.InvariantCulture) : name;
        }
    }

    public override string ToString() => Name;

    /// <summary>The image a URL's name asks for, or null when it names none.</summary>
    public static ResultImage? Parse(string name)
    {
        foreach (var (kind, text) in Names)
        {
            if (kind is ResultImageKind.Highlight or ResultImageKind.Baseline)
            {
                if (name.StartsWith(text, StringComparison.Ordinal)
                    && int.TryParse(name.AsSpan(text.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                    return new ResultImage(kind, index);
            }
            else if (name == text) return new ResultImage(kind);
        }
        return null;
    }

    /// <summary>The segmented image resolved to the view it shows in; any other image as it is.</summary>
    public ResultImage In(ResultView view) => Kind != ResultImageKind.Segmented ? this : view switch
    {
        ResultView.Palette => Palette,
        ResultView.Boundaries => Boundaries,
        _ => MeanColours,
    };
}
