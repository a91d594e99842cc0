[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Segmenter.Bench.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Segmenter.Web.Tests")]
