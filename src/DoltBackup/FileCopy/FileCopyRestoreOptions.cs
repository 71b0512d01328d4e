using System;
using System.Threading;

namespace DoltBackup.FileCopy
{
    /// <summary>How a FileCopy backup is restored.</summary>
    public sealed class FileCopyRestoreOptions
    {
        /// <summary>The data dir to create (or, with <see cref="Force"/>, to replace).</summary>
        public string TargetDataDir { get; set; }

        /// <summary>Replace an existing, non-empty target (never one that a Dolt process uses).</summary>
        public bool Force { get; set; }

        /// <summary>Progress callback; may be null.</summary>
        public Action<FileCopyProgress> Progress { get; set; }

        /// <summary>Stops the restore between buffers; the target is left as it was.</summary>
        public CancellationToken CancellationToken { get; set; }
    }
}
