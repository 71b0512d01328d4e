using System;

namespace DoltBackup.Manifest
{
    /// <summary>A manifest that this module must not use: unreadable, or written by a newer schema.</summary>
    public sealed class ManifestSchemaException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public ManifestSchemaException(string path, string message, Exception inner = null) : base(message, inner)
        {
            Path = path;
        }

        /// <summary>The manifest file concerned.</summary>
        public string Path { get; }
    }
}
