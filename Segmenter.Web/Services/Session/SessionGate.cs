namespace Segmenter.Web.Services;

/// <summary>
/// A session's one lock and its end. The lock is held only for short reads and writes of the image
/// (<see cref="SessionImage"/>) and the result (<see cref="CurrentResult"/>) together, never across decoding,
/// encoding, the store or a call out of the session, so a memory release (<see cref="SessionMemory"/>) sees the image
/// and the result at once. Every other part keeps its state in single volatile references or in a lock of its own,
/// and none takes the gate while holding its own lock.
/// </summary>
public sealed class SessionGate
{
    internal readonly Lock Lock = new();
    private volatile bool _ended;

    /// <summary>The circuit went away: the session takes no new work and serves nothing.</summary>
    public bool Ended => _ended;

    internal void End() => _ended = true;
}
