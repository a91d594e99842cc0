namespace Segmenter.Engine.Steering;

/// <summary>
/// Undo/redo over immutable states: <see cref="Apply"/> pushes a new state and forgets anything undone;
/// <see cref="Undo"/> and <see cref="Redo"/> step back and forth. Thread-safe, since a page and its API may both edit.
/// </summary>
public sealed class EditHistory<T>(T initial) where T : class
{
    private readonly object gate = new();
    private readonly List<T> states = [initial];
    private int position;

    public T Current { get { lock (gate) return states[position]; } }
    public bool CanUndo { get { lock (gate) return position > 0; } }
    public bool CanRedo { get { lock (gate) return position < states.Count - 1; } }

    public T Apply(T next)
    {
        lock (gate)
        {
            states.RemoveRange(position + 1, states.Count - position - 1);
            states.Add(next);
            return states[++position];
        }
    }

    public T Undo()
    {
        lock (gate)
        {
            if (position == 0) throw new InvalidOperationException("There is nothing to undo.");
            return states[--position];
        }
    }

    public T Redo()
    {
        lock (gate)
        {
            if (position == states.Count - 1) throw new InvalidOperationException("There is nothing to redo.");
            return states[++position];
        }
    }
}
