[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Segmenter.Engine.Tests")]
