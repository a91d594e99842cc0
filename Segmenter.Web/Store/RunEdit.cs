namespace Segmenter.Web.Store;

/// <summary>
/// How a stored run came from another: the run it was edited from (its public id; null when the parent was never
/// stored) and what was done (e.g. "merge 2 into 1"). Travels inside <see cref="RunDetails"/>' JSON, not as new
/// columns, so stores written before edits existed read on unchanged (no migration, SQLite and PostgreSQL alike).
/// </summary>
public sealed record RunEdit(string? ParentRunId, string Summary);
