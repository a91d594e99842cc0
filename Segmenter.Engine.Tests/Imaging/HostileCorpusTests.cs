using Segmenter.Bench.Corpus;
using Segmenter.Engine.Imaging;
using Xunit.Abstractions;

namespace Segmenter.Engine.Tests.Imaging;

/// <summary>Writes the corpus once per test run into a temporary directory and removes it afterwards.</summary>
public sealed class HostileCorpusFixture : IDisposable
{
    public HostileCorpusFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "segmenter-hostile-" + Guid.NewGuid().ToString("N"));
        Files = HostileCorpus.Write(Directory).ToDictionary(f => f.Name);
    }

    public string Directory { get; }
    public IReadOnlyDictionary<string, HostileFile> Files { get; }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

public sealed class HostileCorpusTests(HostileCorpusFixture corpus, ITestOutputHelper output) : IClassFixture<HostileCorpusFixture>
{
    public static TheoryData<string> Names => new(HostileCorpus.Files.Select(f => f.Name));

    [Fact]
    public void Corpus_has_at_least_thirty_files_with_unique_names()
    {
        Assert.True(corpus.Files.Count >= 30, $"only {corpus.Files.Count} files");
        Assert.Contains(corpus.Files.Values, f => f.Expected == HostileOutcome.Loads);
        Assert.Contains(corpus.Files.Values, f => f.Expected == HostileOutcome.Rejected);
    }

    [Theory]
    [MemberData(nameof(Names))]
    // How long each file takes is the bench's to measure (`hostile`, target: each within 2 s), not a verdict here.
    public void Each_file_loads_or_is_rejected_with_a_readable_message(string name)
    {
        var file = corpus.Files[name];
        string path = Path.Combine(corpus.Directory, name);

        Exception? error = Record.Exception(() => ImageLoader.Load(path));
        output.WriteLine($"{name}: {(error is null ? "loaded" : error.GetType().Name + ": " + error.Message + " [" + error.InnerException?.GetType().Name + "]")}");

        if (file.Expected == HostileOutcome.Loads)
        {
            Assert.True(error is null, $"{name} should load ({file.Why}) but: {error}");
        }
        else
        {
            var rejected = Assert.IsType<ImageRejectedException>(error);
            Assert.False(string.IsNullOrWhiteSpace(rejected.Message));
            Assert.EndsWith(".", rejected.Message); // a sentence for a person, not an exception dump
        }
    }
}
