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

        /// <summary>
        /// Where the stored archive or tree files are read: null for the manifest's backup folder (checked whole by
        /// the validator before this restore); an object-store set's objects, streamed (Storage/Sets/RemoteSetFiles),
        /// each checked as it is unpacked into the staging folder, in the one pass, before anything is moved into place.
        /// </summary>
        public Verification.SetFileSource Source { get; set; }

        /// <summary>Stops the restore between buffers; the target is left as it was.</summary>
        public CancellationToken CancellationToken { get; set; }
    }
}
