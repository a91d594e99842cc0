namespace Segmenter.Web.Store;

/// <summary>
/// The browser's history id: 128 random bits in an HttpOnly cookie, set on the first page request. The history
/// lists only the runs made under it, so visitors do not see each other's runs (a run's link is shared on purpose).
/// </summary>
public static class HistoryCookie
{
    public const string Name = "segmenter-history";
    private static readonly object ItemKey = new();

    /// <summary>Gives every page request a history id: the cookie's, or a new one set on the response.</summary>
    public static IApplicationBuilder UseHistoryCookie(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Pages only (a browser asks for HTML): files, health and API answers carry no cookie.
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true))
        {
            var id = context.Request.Cookies[Name];
            if (!RunCodec.IsId(id))
            {
                id = RunCodec.NewId();
                context.Response.Cookies.Append(Name, id, new CookieOptions
                {
                    HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, IsEssential = true,
                    MaxAge = TimeSpan.FromDays(365), Path = "/",
                });
            }
            context.Items[ItemKey] = id;
        }
        await next();
    });

    /// <summary>The request's history id (set by <see cref="UseHistoryCookie"/>), or null.</summary>
    public static string? Of(HttpContext? context) => context?.Items[ItemKey] as string;
}
