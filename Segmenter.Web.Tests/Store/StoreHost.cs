using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Web.Tests.Store;

/// <summary>A real generic host with the app's store registration, over a given configuration (a data folder or a connection string).</summary>
internal sealed class StoreHost : IAsyncDisposable
{
    private readonly IHost _host;

    private StoreHost(IHost host) { _host = host; }

    public RunStore Store => _host.Services.GetRequiredService<RunStore>();

    public static async Task<StoreHost> StartAsync(IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddOptions<SegmenterOptions>().Bind(builder.Configuration.GetSection(SegmenterOptions.Section));
        builder.Services.AddRunStore(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<RunStore>().InitialiseAsync();
        return new StoreHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    /// <summary>A run of w×h pixels with k clusters whose labels and values depend on <paramref name="seed"/>; <paramref name="original"/> is its upload.</summary>
    public static RunToStore Run(string owner, int seed, byte[]? original = null, int w = 97, int h = 61, int k = 5)
    {
        var random = new Random(seed);
        var labels = new byte[w * h];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)random.Next(k);
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

    public static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0x89; bytes[1] = 0x50; bytes[2] = 0x4E; bytes[3] = 0x47;
        return bytes;
    }
}
