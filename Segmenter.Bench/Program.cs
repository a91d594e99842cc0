using TorchSharp;
var t = torch.ones(3, 3);
Console.WriteLine(t.sum().item<float>());
var x = torch.randn(4,4); var (u,s,v) = torch.linalg.svd(x, fullMatrices:false); Console.WriteLine(s.shape[0]);
