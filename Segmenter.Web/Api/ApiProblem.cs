namespace Segmenter.Web.Api;

/// <summary>
/// A request the API refuses, with the message the page would show: answered as RFC 7807 problem details
/// (<c>application/problem+json</c>) with <see cref="Status"/>, and <c>Retry-After</c> when <see cref="RetryAfterSeconds"/> is set.
/// </summary>
public sealed class ApiProblem(int status, string title, string detail, int? retryAfterSeconds = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;

    /// <summary>Seconds a client should wait after a full queue: the busy message says "in a minute".</summary>
    public const int BusyRetrySeconds = 60;

    public static ApiProblem BadSettings(string detail) => new(StatusCodes.Status400BadRequest, "The settings were refused", detail);
    public static ApiProblem BadImage(string detail) => new(StatusCodes.Status400BadRequest, "The image was refused", detail);
    public static ApiProblem BadScribbles(string detail) => new(StatusCodes.Status400BadRequest, "The scribbles were refused", detail);
    public static ApiProblem NotYet(string id, string state)
        => new(StatusCodes.Status409Conflict, "The run has not finished", $"The run \"{id}\" is {state}; its files appear when it finishes.");

    public static ApiProblem NotFound(string id) => new(StatusCodes.Status404NotFound, "No such run", $"There is no run \"{id}\" (it may have been deleted or evicted).");

    public IResult ToResult(HttpContext context)
    {
        if (RetryAfterSeconds is { } s) context.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(detail: Message, statusCode: Status, title: Title);
    }
}
