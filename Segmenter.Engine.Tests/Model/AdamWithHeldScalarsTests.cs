using Segmenter.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Segmenter.Engine.Tests.Model;

public class AdamWithHeldScalarsTests
{
    /// <summary>Two copies of one small network, one stepped by TorchSharp's Adam and one by ours, on the same batches.</summary>
    [Theory]
    [InlineData(1e-3, false)]
    [InlineData(1e-2, true)]
    public void Steps_equal_TorchSharp_Adam_bit_for_bit(double learningRate, bool changeTheRate)
    {
        using var ours = Network(seed: 5);
        using var theirs = Network(seed: 5);
        using var adam = new AdamWithHeldScalars(ours.parameters(), learningRate);
        using var reference = optim.Adam(theirs.parameters(), learningRate);
        var batches = new Random(3);

        for (int step = 0; step < 25; step++)
        {
            using var scope = NewDisposeScope();
            if (changeTheRate)
            {
                double rate = learningRate * 0.5 * (1 + Math.Cos(Math.PI * step / 25));
                adam.LearningRate = rate;
                foreach (var group in reference.ParamGroups) group.LearningRate = rate;
            }
            var input = tensor(Enumerable.Range(0, 64 * 6).Select(_ => (float)batches.NextDouble()).ToArray(), [64, 6]);
            var target = input[.., ..3];

            adam.ZeroGrad();
            nn.functional.mse_loss(ours.forward(input), target).backward();
            adam.Step();

            reference.zero_grad();
            nn.functional.mse_loss(theirs.forward(input), target).backward();
            reference.step();
        }

        var a = ours.parameters().ToArray();
        var b = theirs.parameters().ToArray();
        Assert.Equal(b.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(a[i].eq(b[i]).all().item<bool>(), $"parameter {i} differs from TorchSharp's Adam after 25 steps");
        using var untrained = Network(seed: 5);
        Assert.False(a[0].eq(untrained.parameters().First()).all().item<bool>(), "the steps changed the weights");
    }

    [Fact]
    public void A_parameter_without_a_gradient_is_left_alone()
    {
        using var used = nn.Linear(2, 2);
        using var unused = nn.Linear(2, 2);
        var before = unused.weight!.clone();
        using var adam = new AdamWithHeldScalars(used.parameters().Concat(unused.parameters()), 0.1);
        using var scope = NewDisposeScope();
        adam.ZeroGrad();
        used.forward(ones(3, 2)).sum().backward();
        adam.Step();
        Assert.True(unused.weight!.eq(before).all().item<bool>());
    }

    private static nn.Module<Tensor, Tensor> Network(int seed)
    {
        torch.manual_seed(seed);
        return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3));
    }
}
