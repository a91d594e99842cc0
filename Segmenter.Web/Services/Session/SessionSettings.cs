using Microsoft.Extensions.Options;

namespace Segmenter.Web.Services;

/// <summary>
/// The run's settings as the visitor edits them (scoped: one per circuit): the <see cref="ParameterForm"/>, the
/// problems a settings link gave that the form cannot show itself, and the engine's verdict on the settings for the
/// current image's size.
/// </summary>
public sealed class SessionSettings(SessionImage images, SessionChanges changes, IOptions<SegmenterOptions> options)
{
    public ParameterForm Form { get; } = new(options.Value.MaxLearningRate);

    /// <summary>Problems with the settings the page's link gave that the form cannot show itself (unknown preset or sample).</summary>
    public IReadOnlyList<string> LinkProblems { get; private set; } = [];

    /// <summary>Why the current parameters cannot run on the current image (engine's own check), or null.</summary>
    public string? ParameterProblem
    {
        get
        {
            var p = Form.ToParameters();
            if (p is null || images.Size is not { } size) return null;
            try { p.Validate((long)size.Width * size.Height); return null; }
            catch (ArgumentException ex) { return ex.Message; }
        }
    }

    /// <summary>Fills the form (and loads the sample) from the page's query string; bad values show as the form's own messages.</summary>
    public async Task ApplyLinkAsync(IReadOnlyDictionary<string, string?> query)
    {
        var problems = RunSettings.Apply(Form, query).ToList();
        var sample = query.FirstOrDefault(kv => string.Equals(kv.Key, "sample", StringComparison.OrdinalIgnoreCase)).Value;
        if (!string.IsNullOrWhiteSpace(sample))
        {
            if (images.SampleProblem(sample) is { } problem) problems.Add(problem);
            else await images.LoadSampleAsync(sample);
        }
        LinkProblems = problems;
        changes.RaiseChanged();
    }
}
