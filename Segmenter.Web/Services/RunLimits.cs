using System.Globalization;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The settings this server accepts, checked the same way for the page's form and the HTTP API: each setting's own
/// range from the engine's table (<see cref="SettingFields"/>), and the server's learning-rate band
/// (<see cref="SegmenterOptions.MaxLearningRate"/>), which is narrower than the engine's "positive and finite".
/// </summary>
public static class RunLimits
{
    public const double MinLearningRate = 1e-6, DefaultMaxLearningRate = 1.0;

    /// <summary>The server's ceiling, or the default one when the configured value is unusable.</summary>
    public static double MaxLearningRate(double configured)
        => double.IsFinite(configured) && configured > MinLearningRate ? configured : DefaultMaxLearningRate;

    /// <summary>The server's message for a learning rate outside its band, or null.</summary>
    public static string? CheckLearningRate(double? value, double maxLearningRate)
        => value is not { } lr || !double.IsFinite(lr) || lr < MinLearningRate || lr > maxLearningRate
            ? $"The learning rate must be between {Plain(MinLearningRate)} and {Plain(maxLearningRate)}."
            : null;

    /// <summary>The first setting of <paramref name="p"/> this server refuses, in the table's order, with its message; null when all are allowed.</summary>
    public static string? Problem(SegmentationParameters p, double maxLearningRate)
        => SettingFields.All.Select(f => (f.Name == LearningRateSetting ? CheckLearningRate(p.LearningRate, maxLearningRate) : null) ?? f.Problem(f.Get(p)))
            .FirstOrDefault(e => e is not null);

    private const string LearningRateSetting = "lr";

    /// <summary>A rate as people write it ("0.000001", not "1E-06").</summary>
    private static string Plain(double v) => v.ToString("0.##########", CultureInfo.InvariantCulture);
}
