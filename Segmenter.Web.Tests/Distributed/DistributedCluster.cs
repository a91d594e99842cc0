using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Segmenter.Web.Api;
using Segmenter.Web.Tests.EndToEnd;
using Segmenter.Web.Tests.Store;

namespace Segmenter.Web.Tests.Distributed;

/// <summary>
/// Two web instances and two workers of the real app, each its own process on 127.0.0.1, all started at once against
/// one fresh PostgreSQL database of their own on the server in <c>SEGMENTER_TEST_POSTGRES</c> (so the schema is created
/// while four instances race for it). Without the variable the tests skip locally and fail under CI=true.
/// </summary>
public sealed class DistributedCluster : IAsyncLifetime
{
    private static readonly HttpClient Http = new() { Timeout = TestData.HangGuard };
    private readonly string? _server = Environment.GetEnvironmentVariable(PostgresRunStoreTests.ServerVariable);

    public string ConnectionString { get; private set; } = "";
    public AppServer Web1 { get; private set; } = null!;
    public AppServer Web2 { get; private set; } = null!;
    public AppServer[] Workers { get; private set; } = [];
    public bool Available => ConnectionString.Length > 0;

    public async Task InitializeAsync()
    {
        if (string.IsNullOrWhiteSpace(_server))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"CI=true but {PostgresRunStoreTests.ServerVariable} is not set: .ci/run should have started PostgreSQL.");
            return;
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = "segmenter_jobs_" + Guid.NewGuid().ToString("N") }.ConnectionString;
        string[] shared = [$"--ConnectionStrings:Segmenter={ConnectionString}", "--Segmenter:MaxQueueLength=32"];
        _web1Settings = [.. shared, "--Segmenter:Role=web"];
        var starting = new[]
        {
            AppServer.StartAsync(_web1Settings, TestData.HangGuard),
            AppServer.StartAsync([.. shared, "--Segmenter:Role=web"], TestData.HangGuard),
            AppServer.StartAsync([.. shared, "--Segmenter:Role=worker", "--Segmenter:MaxConcurrentJobs=1"], TestData.HangGuard),
            AppServer.StartAsync([.. shared, "--Segmenter:Role=worker", "--Segmenter:MaxConcurrentJobs=1"], TestData.HangGuard),
        };
        try { await Task.WhenAll(starting); }
        catch
        {
            foreach (var s in starting.Where(t => t.IsCompletedSuccessfully)) await s.Result.DisposeAsync();
            throw;
        }
        Web1 = starting[0].Result;
        Web2 = starting[1].Result;
        Workers = [starting[2].Result, starting[3].Result];
    }

    /// <summary>Kills the first web instance (SIGKILL) and starts a new one in its place, as a crash and a restart would.</summary>
    public async Task RestartWeb1Async()
    {
        Web1.Kill();
        await Web1.DisposeAsync();
        Web1 = await AppServer.StartAsync(_web1Settings, TestData.HangGuard);
    }

    private string[] _web1Settings = [];

    public async Task<string> PostAsync(AppServer web, byte[] image, string settings)
    {
        using var response = await Http.PostAsync(web.BaseUrl + "api/segmentations", ApiTests.Upload(image, settings, "chelsea.png"));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SegmentationAccepted>(JsonSerializerOptions.Web))!.Id;
    }

    public async Task<SegmentationStatus> StatusAsync(AppServer web, string id)
    {
        using var response = await Http.GetAsync(web.BaseUrl + "api/segmentations/" + id);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {id} on {web.BaseUrl}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SegmentationStatus>(JsonSerializerOptions.Web))!;
    }

    public Task<HttpResponseMessage> DeleteAsync(AppServer web, string id) => Http.DeleteAsync(web.BaseUrl + "api/segmentations/" + id);

    public Task<HttpResponseMessage> GetAsync(AppServer web, string path) => Http.GetAsync(web.BaseUrl + path.TrimStart('/'));

    /// <summary>One row of the shared queue table, read straight from the database.</summary>
    public async Task<(string State, int Attempts, string? Worker)?> RowAsync(string id)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "State", "Attempts", "Worker" FROM queued_runs WHERE "Id" = @id""", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2)) : null;
    }

    /// <summary>How many times each id is in the run store's runs table.</summary>
    public async Task<Dictionary<string, long>> StoredCountsAsync(IEnumerable<string> ids)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Id", COUNT(*) FROM runs WHERE "Id" = ANY(@ids) GROUP BY "Id" """, connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    /// <summary>The worker process a run's row names (host:pid), or null.</summary>
    public AppServer? WorkerOf(string? worker)
        => worker is null ? null : Workers.FirstOrDefault(w => worker.EndsWith(":" + w.ProcessId, StringComparison.Ordinal));

    public string Logs => string.Join("\n", new[] { Web1, Web2 }.Concat(Workers).Where(s => s is not null).Select((s, i) => $"--- instance {i} ---\n{s.Log}"));

    public async Task DisposeAsync()
    {
        foreach (var s in new[] { Web1, Web2 }.Concat(Workers).Where(s => s is not null)) await s.DisposeAsync();
        if (Available) await PostgresRunStoreTests.DropDatabaseAsync(ConnectionString);
    }
}
