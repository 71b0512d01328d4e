using System;

namespace DoltBackup.FileCopy
{
    /// <summary>One file or directory of a data dir, as a FileCopy backup sees it.</summary>
    public sealed class DataDirEntry
    {
        /// <summary>Path relative to the data dir, with forward slashes.</summary>
        public string RelativePath { get; set; }
        /// <summary>Absolute path.</summary>
        public string FullPath { get; set; }
        /// <summary>True for a directory.</summary>
        public bool IsDirectory { get; set; }
        /// <summary>Size in bytes at enumeration.</summary>
        public long Size { get; set; }
        /// <summary>Unix mode bits, when known.</summary>
        public int? Mode { get; set; }
        /// <summary>Last write time (UTC).</summary>
        public DateTime ModifiedUtc { get; set; }
        /// <summary>The database it belongs to (first path component when that is a database), or null.</summary>
        public string Database { get; set; }
        /// <summary>True for a Dolt LOCK file: copied empty, never with lock state.</summary>
        public bool IsLockFile { get; set; }
        /// <summary>True when the file holds secrets (password hashes, keys, a config that may hold a password).</summary>
        public bool Secret { get; set; }
        /// <inheritdoc />
        public override string ToString() => RelativePath;
    }
}
