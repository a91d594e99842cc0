using Segmenter.Engine.Model;
using Segmenter.Engine.Pipeline;
using TorchSharp;

namespace Segmenter.Engine.Tests.Model;

public class AttentionAutoencoderTests
{
    [Theory]
    [InlineData(1, 2)]
    [InlineData(3, 2)]
    [InlineData(5, 4)]
    [InlineData(3, 16)]
    public void Codes_have_32_features_per_pixel_for_every_window(int window, int heads)
    {
        using var model = new AttentionAutoencoder(heads, window);
        using var scope = torch.NewDisposeScope();
        var x = torch.rand(7, window * window, 3);
        var code = model.Encode(x);
        Assert.Equal(new long[] { 7, 32 }, code.shape);
        Assert.Equal(new long[] { 7, window * window * 3 }, model.forward(x).shape);
        Assert.True(code.ge(0).all().item<bool>(), "codes come out of a ReLU");
    }

    [Fact]
    public void Attention_weights_of_the_centre_token_sum_to_one_per_head()
    {
        using var model = new AttentionAutoencoder(heads: 4, window: 3);
        using var scope = torch.NewDisposeScope();
        var (_, weights) = model.EncodeWithAttention(torch.rand(5, 9, 3), keepWeights: true);
        Assert.NotNull(weights);
        Assert.Equal(new long[] { 5, 4, 9 }, weights!.shape);
        Assert.True(torch.allclose(weights.sum(-1), torch.ones(5, 4), rtol: 1e-5, atol: 1e-5));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(0)]
    [InlineData(128)]
    public void Heads_that_do_not_divide_64_are_refused(int heads)
    {
        var e = Assert.Throws<ArgumentException>(() => new AttentionAutoencoder(heads, 1));
        Assert.Contains("divide", e.Message);
    }

    [Fact]
    public void Windowed_model_sees_its_neighbours_but_the_pixel_model_does_not()
    {
        // Same centre colour, different neighbours: window 3 codes differ, window 1 (centre only) cannot.
        using var model = new AttentionAutoencoder(2, 3);
        using var scope = torch.NewDisposeScope();
        var a = torch.full(1, 9, 3, 0.5f);
        var b = a.clone();
        b[0, 0] = torch.tensor(new[] { 1f, 0f, 0f });
        var diff = (model.Encode(a) - model.Encode(b)).abs().max().item<float>();
        Assert.True(diff > 1e-6, "a 3×3 window's code depends on the neighbours");
    }
}
