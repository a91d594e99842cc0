using Segmenter.Engine.Imaging;
using Segmenter.Web.Store;

namespace Segmenter.Web.Services;

/// <summary>
/// Where the session's image comes from (an upload, an embedded sample, a link or a stored run) and the bytes it
/// came as: an upload is read once with one bounded reader and decoded from the buffered bytes, which are kept to
/// show the original as uploaded (never re-encoded) until a run stored them; then only their hash is kept, and under
/// the memory budget the decoded image may be released and decoded again from the store on first use.
/// It locks the session's gate, shared with <see cref="SessionResults"/>.
/// </summary>
internal sealed class SessionImageSource(object gate, SampleImages samples, RunStore? store,
    SegmenterOptions options, ILogger logger)
{
    // Image: the decoded upload, null while released; Bytes: null once a run stored them (then the store has them).
    private sealed record Upload(RgbImage? Image, byte[]? Bytes, string Sha256);

    private RgbImage? _image;
    private Upload? _upload;
    private bool _released;

    /// <summary>The decoded image as held now (null while released; <see cref="GetOrReload"/> decodes it again).</summary>
    public RgbImage? Current { get { lock (gate) return _image; } }

    public string? Name { get; private set; }

    /// <summary>The embedded sample's name ("astronaut") when the current image is one, else null.</summary>
    public string? SampleName => Name is { } n && samples.Files.Contains(n) ? SampleImages.NameOf(n) : null;

    /// <summary>The download's file name stem, from the image's name.</summary>
    public string FileStem => Path.GetFileNameWithoutExtension(Name ?? "image") is { Length: > 0 } s ? s : "image";

    /// <summary>Reads an upload once (the byte limit enforced while reading) and decodes the buffered bytes.</summary>
    public Task<LoadedImage> ReadAsync(Stream stream, CancellationToken cancellationToken)
        => ImageLoader.LoadWithBytesAsync(stream, options.ImageLimits, cancellationToken);

    /// <summary>Reads a side upload (e.g. a ground-truth label map) under the same byte limit, undecoded.</summary>
    public Task<MemoryStream> ReadBoundedAsync(Stream stream, CancellationToken cancellationToken)
        => ImageLoader.ReadBoundedAsync(stream, options.MaxUploadBytes, cancellationToken);

    /// <summary>The embedded sample's stream and file name, or null when there is no such sample.</summary>
    public (Stream Stream, string File)? OpenSample(string name)
        => samples.Open(name) is { } stream ? (stream, samples.FileFor(name)!) : null;

    /// <summary>The problem with a link's sample name, or null when it names a sample.</summary>
    public string? SampleProblem(string name) => samples.FileFor(name) is null
        ? $"There is no sample called \"{name}\"; try {string.Join(", ", samples.Files.Select(SampleImages.NameOf))}."
        : null;

    /// <summary>Makes an image current; <paramref name="bytes"/> are what it was decoded from (null: set in code, shown as PNG).</summary>
    public void Set(RgbImage image, string name, byte[]? bytes)
    {
        var upload = bytes is null ? null : new Upload(image, bytes, RunCodec.Sha256Hex(bytes));
        lock (gate)
        {
            _image = image;
            _released = false;
            _upload = upload;
            Name = name;
        }
    }

    /// <summary>The current image, decoded again from the stored upload when it was released (null when there is none or that fails).</summary>
    public RgbImage? GetOrReload(Action<RgbImage>? reloadedLocked = null, Action<string>? failed = null, Action? reloaded = null)
    {
        Upload? upload;
        lock (gate)
        {
            if (_image is not null) return _image;
            if (!_released || _upload is null || store is null) return null;
            upload = _upload;
        }
        RgbImage image;
        RgbImage? current;
        try
        {
            var bytes = store.GetImageAsync(upload.Sha256).GetAwaiter().GetResult()
                ?? throw new InvalidOperationException("the store no longer holds the upload (evicted by its retention)");
            image = ImageLoader.Decode(bytes, options.ImageLimits, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not decode the released image again");
            lock (gate) { _released = false; _upload = null; }
            failed?.Invoke($"The image was released to save memory and could not be read again ({ex.Message}); choose it again.");
            return null;
        }
        lock (gate)
        {
            if (_image is null && _released && ReferenceEquals(_upload, upload))
            {
                _image = image;
                _upload = upload with { Image = image };
                _released = false;
                reloadedLocked?.Invoke(image);
            }
            current = _image;
        }
        reloaded?.Invoke();
        return current;
    }

    /// <summary>The decoded image when its upload is in the store (so it can be decoded again), else null. Call holding the gate.</summary>
    public RgbImage? ReleasableLocked()
        => _image is { } image && _upload is { Bytes: null } u && ReferenceEquals(u.Image, image) && store is not null ? image : null;

    /// <summary>Bytes held now: the upload's, and the decoded image's when it could be released. Call holding the gate.</summary>
    public long ResidentBytesLocked() => (_upload?.Bytes?.LongLength ?? 0) + (ReleasableLocked() is { } image ? image.Pixels.LongLength : 0);

    /// <summary>Releases the decoded image when the store can give it back; returns it (or null). Call holding the gate.</summary>
    public RgbImage? ReleaseLocked()
    {
        if (ReleasableLocked() is not { } image) return null;
        _image = null;
        _upload = _upload! with { Image = null };
        _released = true;
        return image;
    }

    /// <summary>The current image's original as it came (from the store once a run stored it; also while released), or null.</summary>
    public byte[]? OriginalBytes()
    {
        Upload? upload;
        lock (gate) upload = _upload is { } u && ReferenceEquals(u.Image, _image) ? u : null;
        return BytesOf(upload);
    }

    /// <summary>The original <paramref name="image"/> was decoded from, when it is the current upload's; else null.</summary>
    public byte[]? OriginalBytesOf(RgbImage image)
    {
        Upload? upload;
        lock (gate) upload = _upload is { } u && ReferenceEquals(u.Image, image) ? u : null;
        return BytesOf(upload);
    }

    private byte[]? BytesOf(Upload? upload)
        => upload is null ? null : upload.Bytes ?? store?.GetImageAsync(upload.Sha256).GetAwaiter().GetResult();

    /// <summary>A run stored the upload of <paramref name="image"/>: the store holds its bytes now, the session only their hash.</summary>
    public void UploadStored(RgbImage image)
    {
        lock (gate)
            if (_upload is { } u && ReferenceEquals(u.Image, image)) _upload = u with { Bytes = null };
    }

    public void Clear()
    {
        lock (gate)
        {
            _image = null;
            _upload = null;
        }
    }
}
