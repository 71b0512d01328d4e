using System;

namespace DoltBackup.Catalog
{
    /// <summary>A folder under a backup root whose manifest could not be read (bad JSON, foreign file, newer schema, no access).</summary>
    public sealed class CatalogProblem
    {
        internal CatalogProblem(string path, Exception error)
        {
            Path = path;
            Error = error;
        }

        /// <summary>The manifest.json that could not be read.</summary>
        public string Path { get; }

        /// <summary>Why.</summary>
        public Exception Error { get; }

        /// <inheritdoc />
        public override string ToString() => Path + ": " + Error.Message;
    }
}
