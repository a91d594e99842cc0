using System.Collections.Concurrent;

namespace Segmenter.Web.Services;

/// <summary>Live sessions' files by their unguessable id, so plain HTTP endpoints (images, downloads) can serve them.</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, SessionFiles> _sessions = new();

    public void Add(SessionFiles session) => _sessions[session.Id] = session;
    public void Remove(SessionFiles session) => _sessions.TryRemove(new KeyValuePair<string, SessionFiles>(session.Id, session));
    public SessionFiles? Find(string id) => _sessions.TryGetValue(id, out var s) ? s : null;
    public int Count => _sessions.Count;
}
