using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Segmenter.Web.Tests;

/// <summary>The real app in process (WebApplicationFactory) with its run store in a fresh temporary folder.</summary>
internal sealed class ApiHost : WebApplicationFactory<Program>
{
    private readonly TemporaryDataFolder _folder = new("segmenter-api-");
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IWebHostBuilder>? _configure;

    public ApiHost(IDictionary<string, string?>? settings = null, Action<IWebHostBuilder>? configure = null)
    {
        _settings = new(settings ?? new Dictionary<string, string?>()) { ["Segmenter:DataFolder"] = _folder.Path };
        _configure = configure;
    }

    public string DataFolder => _folder.Path;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        _configure?.Invoke(builder);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }
}
