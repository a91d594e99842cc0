using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// A trained run kept for later: the autoencoder's weights (TorchSharp's state_dict format, through the module's own
/// save/load), the run's parameters (the report's names) and its k-means centres. <see cref="Apply"/> segments another
/// image with them and no training, so a series of frames is segmented alike: the same pixel colour (or
/// neighbourhood) gets the same code and the same cluster in every frame. One file, a zip of <c>model.json</c> and
/// <c>weights.bin</c>.
/// </summary>
public sealed class SavedModel : IDisposable
{
    public const string Format = "segmenter-model";
    /// <summary>2: the features k-means clusters may be standardised (<see cref="ClusterFeatures"/>), and their scale is saved.</summary>
    public const int Version = 2;
    private const string ManifestEntry = "model.json", WeightsEntry = "weights.bin";

    private readonly AttentionAutoencoder _model;
    private readonly float[] _centres;
    private readonly FeatureScale? _scale;

    private SavedModel(AttentionAutoencoder model, SegmentationParameters parameters, float[] centres, FeatureScale? scale, IReadOnlyList<EpochLoss> losses)
    {
        _model = model; Parameters = parameters; _centres = centres; _scale = scale; EpochLosses = losses;
    }

    /// <summary>The parameters the model was trained and clustered with; <see cref="Apply"/> uses them unchanged.</summary>
    public SegmentationParameters Parameters { get; }

    /// <summary>The training's epoch losses, as the saved run reported them.</summary>
    public IReadOnlyList<EpochLoss> EpochLosses { get; }

    /// <summary>Writes a run's model; the result must still hold its trained model (not disposed, not itself applied).</summary>
    public static void Save(SegmentationResult result, Stream destination)
    {
        var trained = TrainedModel.Of(result);
        var model = trained.Autoencoder;
        if (result.Centres.Length != result.Parameters.Clusters * trained.FeatureDims)
            throw new InvalidOperationException("This result has no k-means centres to save.");
        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["parameters"] = ReportParameters.ToJson(result.Parameters),
            ["centres"] = Numbers(result.Centres),
            ["epochLosses"] = new JsonArray(result.EpochLosses.Select(e => (JsonNode)new JsonObject
            {
                ["epoch"] = e.Epoch, ["totalEpochs"] = e.TotalEpochs, ["loss"] = e.Loss, ["elapsedSeconds"] = e.ElapsedSeconds,
            }).ToArray()),
        };
        if (trained.Features.Scale is { } scale)
        {
            var scaleJson = new JsonObject { ["mean"] = Numbers(scale.Mean), ["gain"] = Numbers(scale.Gain) };
            if (scale.TextureMix is { } mix) scaleJson["textureMix"] = Numbers(mix);
            manifest["featureScale"] = scaleJson;
        }
        using (var w = new StreamWriter(zip.CreateEntry(ManifestEntry).Open()))
            w.Write(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        using (var weights = new BinaryWriter(zip.CreateEntry(WeightsEntry).Open()))
            model.save(weights);
    }

    private static JsonArray Numbers(float[] values) => new(values.Select(c => (JsonNode)JsonValue.Create(c)).ToArray());

    private static float[] Numbers(JsonNode? node, string what) =>
        (node as JsonArray ?? throw new InvalidDataException($"it has no {what}")).Select(n => n!.GetValue<float>()).ToArray();

    /// <summary>Writes to a temporary file beside <paramref name="path"/>, then moves it in place: no half-written model.</summary>
    public static void Save(SegmentationResult result, string path)
    {
        string temp = path + ".partial";
        using (var f = File.Create(temp)) Save(result, f);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a model; <see cref="InvalidDataException"/> with a plain message when the file is not one.</summary>
    public static SavedModel Load(Stream source)
    {
        try
        {
            using var zip = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
            var manifestEntry = zip.GetEntry(ManifestEntry) ?? throw new InvalidDataException($"it has no {ManifestEntry}");
            var weightsEntry = zip.GetEntry(WeightsEntry) ?? throw new InvalidDataException($"it has no {WeightsEntry}");
            JsonObject manifest;
            using (var s = manifestEntry.Open())
                manifest = JsonNode.Parse(s) as JsonObject ?? throw new InvalidDataException($"{ManifestEntry} is not a JSON object");
            if ((string?)manifest["format"] != Format || (int?)manifest["version"] != Version)
                throw new InvalidDataException($"it is not a {Format} version {Version} file");
            var parameters = ReportParameters.Read(manifest["parameters"] as JsonObject ?? throw new InvalidDataException("it has no parameters"));
            parameters.Validate(long.MaxValue);
            var centres = Numbers(manifest["centres"], "centres");
            FeatureScale? scale = ClusterFeatures.AreRawCodes(parameters) ? null : new FeatureScale(
                Numbers(manifest["featureScale"]?["mean"], "feature scale means"), Numbers(manifest["featureScale"]?["gain"], "feature scale gains"),
                manifest["featureScale"]?["textureMix"] is { } mix ? Numbers(mix, "texture map") : null);
            int dims = ClusterFeatures.DimsFor(parameters);
            if (scale is not null && (scale.Mean.Length != dims || scale.Gain.Length != dims))
                throw new InvalidDataException($"its feature scale has {scale.Mean.Length} means and {scale.Gain.Length} gains for features of {dims} numbers");
            if (scale?.TextureMix is { } textureMix && (parameters.TextureWeight == 0 || textureMix.Length != TextureEnergies.Count * TextureEnergies.Count))
                throw new InvalidDataException($"its texture map has {textureMix.Length} numbers for a texture block of {(parameters.TextureWeight > 0 ? TextureEnergies.Count : 0)}");
            if (centres.Length != parameters.Clusters * dims)
                throw new InvalidDataException($"it holds {centres.Length} centre values for {parameters.Clusters} clusters of {dims}");
            var losses = (manifest["epochLosses"] as JsonArray ?? [])
                .Select(n => new EpochLoss((int)n!["epoch"]!, (int)n["totalEpochs"]!, (double)n["loss"]!, (double)n["elapsedSeconds"]!)).ToArray();

            TorchRuntime.Initialise();
            var model = TorchRuntime.CreateModel(parameters);
            try
            {
                using var weights = new BinaryReader(weightsEntry.Open());
                model.load(weights, strict: true);
                return new SavedModel(model, parameters, centres, scale, losses);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or ArgumentException or FormatException
                                      or InvalidOperationException or IOException or NullReferenceException)
        {
            throw new InvalidDataException($"This is not a usable saved model: {e.Message}", e);
        }
    }

    public static SavedModel Load(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(f);
    }

    /// <summary>
    /// Segments <paramref name="image"/> with the saved weights and centres: encodes its pixels (or distinct colours),
    /// gives each the nearest saved centre, paints the clusters. No training, no k-means fit.
    /// </summary>
    public SegmentationResult Apply(RgbImage image, Action<PipelineEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var p = Parameters;
        p.Validate(image.PixelCount);
        var clock = Stopwatch.StartNew();
        progress?.Invoke(new StageChanged(PipelineStage.Encoding, 0));
        var items = CodeItems.For(image, p);
        var features = new ClusterFeatures(image, p, _scale);
        if (p.Segments == Segments.Regions) return ApplyRegions(image, items, features, clock, progress, cancellationToken);
        var clusterer = Clusterers.FromCentres(_centres, features.Dims);
        var (itemLabels, inertia) = CodeAssignment.AssignAll(_model, features, items, clusterer, cancellationToken);
        double encoded = clock.Elapsed.TotalSeconds;

        progress?.Invoke(new StageChanged(PipelineStage.Rendering, encoded));
        int n = (int)image.PixelCount;
        var labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte)itemLabels[items.ItemOfPixel(i)];
        labels = LabelSmoothing.Apply(labels, image, p.Clustering);
        var clusters = ClusterSummary.Of(image, labels, p.Clusters);
        var plot = PlotSampler.Draw(_model, features, items, image, labels, clusters, _centres, p.Seed, cancellationToken);
        double total = clock.Elapsed.TotalSeconds;
        progress?.Invoke(new StageChanged(PipelineStage.Done, total));

        var timings = new StageTimings(DecodeSeconds: 0, TrainSeconds: 0, EncodeSeconds: encoded, ClusterSeconds: 0,
            RenderSeconds: total - encoded, TotalSeconds: total, FirstEpochSeconds: 0);
        return new SegmentationResult(p, image.Width, image.Height, labels, clusters, EpochLosses, inertia, kmeansIterations: 0,
            timings, plot, model: null) { Centres = _centres };
    }

    /// <summary>
    /// Regions: the new image's own region tree (from the saved weights' codes) cut at the saved count, so the regions
    /// follow this image's borders; no k-means. The centres are the regions' mean features.
    /// </summary>
    private SegmentationResult ApplyRegions(RgbImage image, CodeItems items, ClusterFeatures features, Stopwatch clock,
        Action<PipelineEvent>? progress, CancellationToken ct)
    {
        var p = Parameters;
        if (image.PixelCount > SegmentationParameters.MaxRegionPixels)
            throw new ArgumentException($"A saved model cuts regions in images of at most {SegmentationParameters.MaxRegionPixels} pixels; this one has {image.PixelCount}.");
        var itemCodes = features.Encode(items, _model, Enumerable.Range(0, items.Count).ToArray(), ct);
        var pixelFeatures = Regions.RegionCut.PixelFeatures(itemCodes, features.Dims, items, (int)image.PixelCount);
        double encoded = clock.Elapsed.TotalSeconds;
        progress?.Invoke(new StageChanged(PipelineStage.Clustering, encoded));
        var tree = Regions.RegionTree.Build(image, pixelFeatures, features.Dims, p.CodeSize, p.Clusters, ct);
        var labels = tree.Cut(p.Clusters);
        var (centres, inertia) = Regions.RegionCut.Centres(pixelFeatures, features.Dims, labels, p.Clusters);
        double clustered = clock.Elapsed.TotalSeconds;
        progress?.Invoke(new StageChanged(PipelineStage.Rendering, clustered));
        var clusters = ClusterSummary.Of(image, labels, p.Clusters);
        var plot = PlotSampler.Draw(pixelFeatures, features.Dims, image, labels, clusters, centres, p.Seed);
        double total = clock.Elapsed.TotalSeconds;
        progress?.Invoke(new StageChanged(PipelineStage.Done, total));
        var timings = new StageTimings(DecodeSeconds: 0, TrainSeconds: 0, EncodeSeconds: encoded, ClusterSeconds: clustered - encoded,
            RenderSeconds: total - clustered, TotalSeconds: total, FirstEpochSeconds: 0);
        return new SegmentationResult(p, image.Width, image.Height, labels, clusters, EpochLosses, inertia, kmeansIterations: 0,
            timings, plot, model: null) { Centres = centres, RegionsAvailable = tree.MaxCount };
    }

    public void Dispose() => _model.Dispose();
}
