namespace Segmenter.Web.Operations;

/// <summary>
/// Where the app listens when nobody said: loopback only, so a developer's `dotnet run` is not exposed on the network.
/// Any endpoint setting of any kind wins: <c>--urls</c>/<c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTP_PORTS</c>
/// (what container hosts set), <c>ASPNETCORE_HTTPS_PORTS</c>/<c>HTTPS_PORTS</c>, or a <c>Kestrel:Endpoints</c> section.
/// </summary>
public static class HostingDefaults
{
    public const string LoopbackUrl = "http://127.0.0.1:5000";

    /// <summary>True when the configuration names an address, a port or a Kestrel endpoint.</summary>
    public static bool HasEndpointSetting(IConfiguration configuration)
        => !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
           || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
           || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
           || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    /// <summary>Listens on <see cref="LoopbackUrl"/> unless an endpoint setting is given.</summary>
    public static void ApplyLoopbackDefault(WebApplicationBuilder builder)
    {
        if (!HasEndpointSetting(builder.Configuration)) builder.WebHost.UseUrls(LoopbackUrl);
    }
}
