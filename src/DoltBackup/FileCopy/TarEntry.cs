using System;

namespace DoltBackup.FileCopy
{
    /// <summary>One entry header of a tar archive.</summary>
    public sealed class TarEntry
    {
        /// <summary>The entry's path inside the archive (forward slashes; directories without a trailing slash).</summary>
        public string Name { get; set; }
        /// <summary>File, Directory or Other.</summary>
        public TarEntryType Type { get; set; }
        /// <summary>The raw type flag byte.</summary>
        public char TypeFlag { get; set; }
        /// <summary>Size of the data in bytes (0 for directories).</summary>
        public long Size { get; set; }
        /// <summary>Unix permission bits.</summary>
        public int Mode { get; set; }
        /// <summary>Modification time (UTC).</summary>
        public DateTime ModifiedUtc { get; set; }
        /// <inheritdoc />
        public override string ToString() => Name;
    }
}
