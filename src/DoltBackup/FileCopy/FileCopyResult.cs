using System;
using System.Collections.Generic;

namespace DoltBackup.FileCopy
{
    /// <summary>What a FileCopy backup produced.</summary>
    public sealed class FileCopyResult
    {
        /// <summary>The archive (datadir.tar / datadir.tar.gz) or tree folder (datadir), absolute.</summary>
        public string OutputPath { get; set; }
        /// <summary>The format used.</summary>
        public FileCopyFormat Format { get; set; }
        /// <summary>Files copied.</summary>
        public int Files { get; set; }
        /// <summary>Bytes of file data copied.</summary>
        public long Bytes { get; set; }
        /// <summary>The databases whose locks were held during the copy.</summary>
        public List<string> Databases { get; set; } = new List<string>();
        /// <summary>How long the copy took (locks held).</summary>
        public TimeSpan Duration { get; set; }
    }
}
