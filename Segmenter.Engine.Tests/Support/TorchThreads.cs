using System.Runtime.CompilerServices;

namespace Segmenter.Engine.Tests.Support;

/// <summary>
/// torch's thread count is set as the test assembly loads, before any test touches torch: a test thread that ran a
/// torch operation before the first pipeline set it would keep two threads for good, and a run on that thread would
/// differ in the eighth digit from the same run in a CLI child process (<see cref="TorchRuntime.Initialise"/>).
/// </summary>
internal static class TorchThreads
{
    [ModuleInitializer]
    internal static void SetBeforeAnyTest() => TorchRuntime.Initialise();
}
