using Segmenter.Bench.Docs;

namespace Segmenter.Bench;

/// <summary>
/// docs: writes the generated parts of the documentation from the code, the settings table of docs/settings.md and
/// docs/openapi.json. Tests fail when the committed files differ from what this writes.
/// </summary>
internal static class DocsCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (CommandLine.ParseOptionsOnly("docs", args, [], []) is null) return Program.Ok;
        var root = RepoPaths.RequireRoot();

        var settings = Path.Combine(root, "docs", "settings.md");
        await File.WriteAllTextAsync(settings, SettingsReference.Rewrite(await File.ReadAllTextAsync(settings)));
        Console.WriteLine($"docs: {Path.GetRelativePath(root, settings)} (its settings table)");

        var openApi = Path.Combine(root, ApiDescriptionFile.RelativePath);
        await File.WriteAllTextAsync(openApi, ApiDescriptionFile.Text(await ApiDescriptionFile.ServedAsync()));
        Console.WriteLine($"docs: {ApiDescriptionFile.RelativePath} (the served OpenAPI document)");
        return Program.Ok;
    }
}
