using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Segmenter.Web.Tests;

/// <summary>The real app in process (WebApplicationFactory) with its run store in a fresh temporary folder.</summary>
internal sealed class ApiHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IWebHostBuilder>? _configure;

    public ApiHost(IDictionary<string, string?>? settings = null, Action<IWebHostBuilder>? configure = null)
    {
        DataFolder = Directory.CreateTempSubdirectory("segmenter-api-").FullName;
        _settings = new(settings ?? new Dictionary<string, string?>()) { ["Segmenter:DataFolder"] = DataFolder };
        _configure = configure;
    }

    public string DataFolder { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        _configure?.Invoke(builder);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // release the SQLite file before deleting it
        try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { }
    }
}
