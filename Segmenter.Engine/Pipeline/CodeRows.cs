namespace Segmenter.Engine.Pipeline;

/// <summary>Row-major code tables (n × dims floats): picking rows out of them.</summary>
internal static class CodeRows
{
    /// <summary>The rows <paramref name="which"/> of <paramref name="rows"/>, in that order (which.Length × dims).</summary>
    internal static float[] Gather(float[] rows, int[] which, int dims)
    {
        var result = new float[which.Length * dims];
        for (int i = 0; i < which.Length; i++) Array.Copy(rows, which[i] * dims, result, i * dims, dims);
        return result;
    }
}
