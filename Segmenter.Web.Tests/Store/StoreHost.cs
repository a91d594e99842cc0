using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
        return new StoreHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    public static RunToStore Run(string owner, int seed, byte[]? original = null) => Segmenter.Bench.SyntheticRuns.Run(owner, seed, original);

    public static byte[] Bytes(int seed, int length) => Segmenter.Bench.SyntheticRuns.Bytes(seed, length);
}
