using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Bench;

/// <summary>
/// <c>store-writer --data DIR [--runs N] [--megapixels M]</c>: saves N synthetic runs of M megapixels into the
/// run store in DIR, printing "writing i" before and "saved i ID" after each save. The crash test kills it with
/// SIGKILL in the middle of a save and checks the store it leaves.
/// </summary>
internal static class StoreWriterCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var cl = CommandLine.Parse(args, ["--data", "--runs", "--megapixels"], ["--help"]);
        if (cl.Flag("--help")) { Console.WriteLine(Program.Usage); return Program.Ok; }
        var data = cl.String("--data") ?? throw new UsageException("store-writer needs --data DIR.");
        int runs = cl.Int("--runs") ?? 10;
        double megapixels = cl.Double("--megapixels") ?? 4;
        int side = (int)Math.Sqrt(megapixels * 1_000_000);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Segmenter:DataFolder"] = data });
        builder.Services.AddOptions<SegmenterOptions>().Bind(builder.Configuration.GetSection(SegmenterOptions.Section));
        builder.Services.AddRunStore(builder.Configuration);
        using var host = builder.Build();
        var store = host.Services.GetRequiredService<RunStore>();
        await store.InitialiseAsync();
        for (int i = 1; i <= runs; i++)
        {
            var run = SyntheticRuns.Run("store-writer", seed: i, SyntheticRuns.Bytes(1000 + i, side * side / 4), side, side);
            Console.WriteLine($"writing {i}");
            await store.SaveAsync(run);
            Console.WriteLine($"saved {i} {run.Id}");
        }
        return Program.Ok;
    }
}

/// <summary>Runs with deterministic contents (from a seed) for the store's tests and the crash test's writer.</summary>
internal static class SyntheticRuns
{
    /// <summary>A run of w×h pixels with k clusters whose labels and values follow from <paramref name="seed"/>; <paramref name="original"/> is its upload.</summary>
    public static RunToStore Run(string owner, int seed, byte[]? original = null, int w = 97, int h = 61, int k = 5)
    {
        var labels = Labels(seed, w * h, k);
        var random = new Random(seed);
        var clusters = Enumerable.Range(0, k).Select(c => new ClusterSummary(c, labels.Count(l => l == c), labels.Count(l => l == c) / (double)labels.Length,
            (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256))).ToArray();
        var parameters = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = k, Seed = seed };
        var losses = Enumerable.Range(1, 3).Select(e => new EpochLoss(e, 3, random.NextDouble(), e * 0.1)).ToArray();
        var details = new RunDetails(parameters, losses, losses[^1].Loss, 1234.5 + seed, 7, 0.42, 0.9, new StageTimings(0.1, 1.2, 0.3, 0.4, 0.05, 2.05, 0.4), clusters);
        var plot = new PlotSample(4, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [0, 1, 2, 3], [0.5f, -1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], new float[k * 3]);
        original ??= Bytes(seed, 3000);
        return new RunToStore(RunCodec.NewId(), owner, $"image-{seed}.png", original, Reclustered: false, w, h, details, plot,
            ReportJson: $"{{\"seed\":{seed}}}", labels, SegmentedPng: Bytes(seed + 1, 2000), ThumbnailPng: Bytes(seed + 2, 300));
    }

    /// <summary>The labels <see cref="Run"/> gives a run of <paramref name="seed"/>.</summary>
    public static byte[] Labels(int seed, int count, int k)
    {
        var random = new Random(seed * 7919 + 1);
        var labels = new byte[count];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)random.Next(k);
        return labels;
    }

    /// <summary>Random bytes behind a PNG signature (the store keys originals by content, not by validity).</summary>
    public static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0x89; bytes[1] = 0x50; bytes[2] = 0x4E; bytes[3] = 0x47;
        return bytes;
    }
}
