using System.Collections.Concurrent;

namespace Segmenter.Web.Services;

/// <summary>Live sessions by their unguessable id, so plain HTTP endpoints (images, downloads) can serve them.</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, SegmentationSession> _sessions = new();

    public void Add(SegmentationSession session) => _sessions[session.Id] = session;
    public void Remove(SegmentationSession session) => _sessions.TryRemove(new KeyValuePair<string, SegmentationSession>(session.Id, session));
    public SegmentationSession? Find(string id) => _sessions.TryGetValue(id, out var s) ? s : null;
    public int Count => _sessions.Count;
}
