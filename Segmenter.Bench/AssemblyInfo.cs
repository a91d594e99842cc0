[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Segmenter.Engine.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Segmenter.Web.Tests")]
