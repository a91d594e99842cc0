[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Scratch")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Segmenter.Engine.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Segmenter.Bench")]
