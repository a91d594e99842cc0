using Microsoft.Extensions.Options;
using Segmenter.Engine.Imaging;
using Segmenter.Web.Store;

namespace Segmenter.Web.Services;

/// <summary>
/// The session's image (scoped: one per circuit) and where it came from (an upload, an embedded sample, a link or a
/// stored run) with the bytes it came as: an upload is read once with one bounded reader and decoded from the
/// buffered bytes, which are kept to show the original as uploaded (never re-encoded) until a run stored them; then
/// only their hash is kept, and under the memory budget the decoded image may be released. Reading
/// <see cref="Current"/> never decodes: work that needs the pixels calls <see cref="Reload"/>, which decodes a
/// released image again from the store. It locks the <see cref="SessionGate"/>, shared with <see cref="CurrentResult"/>.
/// </summary>
public sealed class SessionImage(SessionGate sessionGate, SessionChanges changes, SessionJobs jobs, SampleImages samples,
    IOptions<SegmenterOptions> settings, ILogger<SessionImage> logger, RunStore? store = null, ResidentBudget? budget = null) : IDisposable
{
    private readonly Lock gate = sessionGate.Lock;
    private readonly SegmenterOptions options = settings.Value;
    // Image: the decoded upload, null while released; Bytes: null once a run stored them (then the store has them).
    private sealed record Upload(RgbImage? Image, byte[]? Bytes, string Sha256);

    private RgbImage? _image;
    private Upload? _upload;
    private bool _released;
    private int _generation;
    private (int Width, int Height)? _size;

    /// <summary>The image was set (the result's PNGs of the old one are stale).</summary>
    internal event Action? Replaced;

    /// <summary>The decoded image was released; called holding the gate, so the result lets go of it at once.</summary>
    internal event Action<RgbImage>? ReleasedLocked;

    /// <summary>A released image was decoded again; called holding the gate, so the result takes it back at once.</summary>
    internal event Action<RgbImage>? ReloadedLocked;

    /// <summary>A released image was decoded again (the session is in use).</summary>
    internal event Action? Reloaded;

    /// <summary>The decoded image as held now: null when there is none or while released (<see cref="Reload"/> decodes it again).</summary>
    public RgbImage? Current { get { lock (gate) return _image; } }

    /// <summary>There is an image, held or released (then <see cref="Reload"/> brings it back).</summary>
    public bool HasImage { get { lock (gate) return _image is not null || (_released && _upload is not null); } }

    /// <summary>The image's size, also while it is released.</summary>
    public (int Width, int Height)? Size { get { lock (gate) return _size; } }

    /// <summary>Counts the images set, so a view can tell a new image from the same one released and decoded again.</summary>
    public int Generation { get { lock (gate) return _generation; } }

    public string? Name { get; private set; }

    /// <summary>The embedded sample's name ("astronaut") when the current image is one, else null.</summary>
    public string? SampleName => Name is { } n && samples.Files.Contains(n) ? SampleImages.NameOf(n) : null;

    /// <summary>The download's file name stem, from the image's name.</summary>
    public string FileStem => Path.GetFileNameWithoutExtension(Name ?? "image") is { Length: > 0 } s ? s : "image";

    /// <summary>Reads an upload once (the byte limit enforced while reading), decodes it and makes it the current image.</summary>
    public async Task<bool> LoadUploadAsync(Stream stream, string name, CancellationToken cancellationToken = default)
    {
        if (jobs.IsBusy) { changes.Fail("Wait for the current run to finish (or cancel it) before changing the image."); return false; }
        try
        {
            byte[] bytes;
            using (var buffer = await ImageLoader.ReadBoundedAsync(stream, options.MaxUploadBytes, cancellationToken))
                bytes = buffer.ToArray();
            var image = budget is null
                ? await Task.Run(() => ImageLoader.Decode(bytes, options.ImageLimits, cancellationToken), cancellationToken)
                : await budget.DecodeAsync(bytes, options.ImageLimits, cancellationToken);
            Set(image, name, bytes);
            return true;
        }
        catch (ImageRejectedException ex) { changes.Fail(ex.Message); }
        catch (OperationCanceledException) { }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or NotImplementedException or ArgumentException)
        {
            logger.LogWarning(ex, "Could not read the upload {Name}", name);
            changes.Fail($"Could not read \"{name}\": {ex.Message}");
        }
        return false;
    }

    /// <summary>Loads one of the embedded samples by name ("astronaut").</summary>
    public async Task<bool> LoadSampleAsync(string name, CancellationToken cancellationToken = default)
    {
        if (OpenSample(name) is not ({ } stream, { } file)) { changes.Fail($"There is no sample called \"{name}\"."); return false; }
        await using (stream)
            return await LoadUploadAsync(stream, file, cancellationToken);
    }

    /// <summary>Makes a decoded image current (the previous result stays until replaced).</summary>
    public void Set(RgbImage image, string name) => Set(image, name, bytes: null);

    /// <summary>Reads a side upload (e.g. a ground-truth label map) under the same byte limit, undecoded.</summary>
    internal Task<MemoryStream> ReadBoundedAsync(Stream stream, CancellationToken cancellationToken)
        => ImageLoader.ReadBoundedAsync(stream, options.MaxUploadBytes, cancellationToken);

    /// <summary>The embedded sample's stream and file name, or null when there is no such sample.</summary>
    private (Stream Stream, string File)? OpenSample(string name)
        => samples.Open(name) is { } stream ? (stream, samples.FileFor(name)!) : null;

    /// <summary>The problem with a link's sample name, or null when it names a sample.</summary>
    internal string? SampleProblem(string name) => samples.FileFor(name) is null
        ? $"There is no sample called \"{name}\"; try {string.Join(", ", samples.Files.Select(SampleImages.NameOf))}."
        : null;

    /// <summary>Makes an image current; <paramref name="bytes"/> are what it was decoded from (null: set in code, shown as PNG).</summary>
    private void Set(RgbImage image, string name, byte[]? bytes)
    {
        var upload = bytes is null ? null : new Upload(image, bytes, RunCodec.Sha256Hex(bytes));
        lock (gate)
        {
            _image = image;
            _released = false;
            _upload = upload;
            _size = (image.Width, image.Height);
            _generation++;
            Name = name;
        }
        Replaced?.Invoke();
        changes.Error = null;
        changes.RaiseChanged();
    }

    /// <summary>
    /// The current image, decoded again from the stored upload when it was released; null when there is none, the
    /// session ended, or decoding fails (then the error says why).
    /// </summary>
    public RgbImage? Reload()
    {
        if (sessionGate.Ended) return null;
        Upload? upload;
        lock (gate)
        {
            if (_image is not null) return _image;
            if (!_released || _upload is null || (_upload.Bytes is null && store is null)) return null;
            upload = _upload;
        }
        RgbImage image;
        RgbImage? current;
        try
        {
            var bytes = upload.Bytes ?? store!.GetImageAsync(upload.Sha256).GetAwaiter().GetResult()
                ?? throw new InvalidOperationException("the store no longer holds the upload (evicted by its retention)");
            // These bytes decoded once within the hostile-upload time budget; decoding them again (in a run's slot, on a
            // loaded server) is not cut short by it.
            image = ImageLoader.Decode(bytes, options.ImageLimits with { DecodeTimeout = Timeout.InfiniteTimeSpan }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not decode the released image again");
            lock (gate) { _released = false; _upload = null; }
            changes.Error = $"The image was released to save memory and could not be read again ({ex.Message}); choose it again.";
            return null;
        }
        lock (gate)
        {
            if (_image is null && _released && ReferenceEquals(_upload, upload))
            {
                _image = image;
                _upload = upload with { Image = image };
                _released = false;
                ReloadedLocked?.Invoke(image);
            }
            current = _image;
        }
        Reloaded?.Invoke();
        return current;
    }

    /// <summary>The generation of <paramref name="image"/> when it is the current image, else -1. Call holding the gate.</summary>
    internal int GenerationOfLocked(RgbImage image)
        => ReferenceEquals(image, _image) || (_upload is { } u && ReferenceEquals(u.Image, image)) ? _generation : -1;

    /// <summary>
    /// The decoded image when it can be decoded again (its upload's bytes are held, or the store has them), else null.
    /// Call holding the gate.
    /// </summary>
    internal RgbImage? ReleasableLocked()
        => _image is { } image && _upload is { } u && ReferenceEquals(u.Image, image) && (u.Bytes is not null || store is not null) ? image : null;

    /// <summary>Bytes held now: the upload's, and the decoded image's when it could be released. Call holding the gate.</summary>
    internal long ResidentBytesLocked() => (_upload?.Bytes?.LongLength ?? 0) + (ReleasableLocked() is { } image ? image.Pixels.LongLength : 0);

    /// <summary>Releases the decoded image when it can be decoded again; returns it (or null). Call holding the gate.</summary>
    internal RgbImage? ReleaseLocked()
    {
        if (ReleasableLocked() is not { } image) return null;
        _image = null;
        _upload = _upload! with { Image = null };
        _released = true;
        ReleasedLocked?.Invoke(image);
        return image;
    }

    /// <summary>
    /// A run of the current image waits in the queue: it holds the upload's bytes, not its decoded pixels, until it
    /// starts and decodes them again (<see cref="Reload"/>). Returns the bytes freed.
    /// </summary>
    internal long ReleaseWhileQueued()
    {
        lock (gate) return ReleaseLocked()?.Pixels.LongLength ?? 0;
    }

    /// <summary>The current image's original as it came (from the store once a run stored it; also while released), or null.</summary>
    internal byte[]? OriginalBytes()
    {
        Upload? upload;
        lock (gate) upload = _upload is { } u && ReferenceEquals(u.Image, _image) ? u : null;
        return BytesOf(upload);
    }

    /// <summary>The original <paramref name="image"/> was decoded from, when it is the current upload's; else null.</summary>
    internal byte[]? OriginalBytesOf(RgbImage image)
    {
        Upload? upload;
        lock (gate) upload = _upload is { } u && ReferenceEquals(u.Image, image) ? u : null;
        return BytesOf(upload);
    }

    private byte[]? BytesOf(Upload? upload)
        => upload is null ? null : upload.Bytes ?? store?.GetImageAsync(upload.Sha256).GetAwaiter().GetResult();

    /// <summary>A run stored the upload of <paramref name="image"/>: the store holds its bytes now, the session only their hash.</summary>
    internal void UploadStored(RgbImage image)
    {
        lock (gate)
            if (_upload is { } u && ReferenceEquals(u.Image, image)) _upload = u with { Bytes = null };
    }

    internal void Clear()
    {
        lock (gate)
        {
            _image = null;
            _upload = null;
        }
    }

    public void Dispose()
    {
        sessionGate.End();
        Clear();
    }
}
