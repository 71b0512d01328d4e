using System;
using System.Threading;

namespace DoltBackup.FileCopy
{
    /// <summary>How a FileCopy backup runs.</summary>
    public sealed class FileCopyOptions
    {
        /// <summary>The data directory to copy (databases, .doltcfg, config.yaml if inside it).</summary>
        public string DataDir { get; set; }

        /// <summary>Tar, TarGzip (default) or Tree.</summary>
        public FileCopyFormat Format { get; set; } = FileCopyFormat.TarGzip;

        /// <summary>
        /// Run before the copy (for example a callback that invokes the user's -StopCommand script block). When it is
        /// given, <see cref="StartCommand"/> always runs afterwards, in a finally, whatever happened.
        /// </summary>
        public Action StopCommand { get; set; }

        /// <summary>Run after the copy, in a finally (for example the user's -StartCommand script block).</summary>
        public Action StartCommand { get; set; }

        /// <summary>
        /// How long to keep retrying the database locks after the stop command ran (a stopping server releases them a
        /// moment later). Without a stop command the locks are tried once: a held lock means Dolt is running.
        /// </summary>
        public TimeSpan LockWaitAfterStop { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// Also record the SHA-256 of the archive file itself (so that sha256sum can check it without DoltBackup). It
        /// costs a second hash of every byte (on the writer thread). Without it the archive is recorded with its size,
        /// and its contents are covered by every file's SHA-256 and every tar header's checksum. The same rule holds
        /// for an encrypted archive's plaintext (plaintextSha256 of the archive and of each part): its ciphertext's
        /// size and SHA-256 and its plaintext size are always recorded, its plaintext SHA-256 only with this.
        /// </summary>
        public bool HashArchive { get; set; }

        /// <summary>Replaces an existing FileCopy archive or tree in the backup folder (never overrides a held lock).</summary>
        public bool Overwrite { get; set; }

        /// <summary>
        /// When set, the archive (TarGzip or Tar) is not written into the backup folder: it is streamed, as it is made,
        /// into this location (an object store) under <see cref="UploadSetKey"/>/&lt;archive name&gt;, never staged
        /// whole on disk; Tree files are uploaded one by one. The backup folder then receives nothing of the data dir.
        /// </summary>
        public DoltBackup.Storage.IBackupLocation UploadTo { get; set; }

        /// <summary>The set's key in <see cref="UploadTo"/> ("" when the location is the set itself).</summary>
        public string UploadSetKey { get; set; } = "";

        /// <summary>Tells whether a sql-server.info port answers; defaults to a TCP connect on localhost.</summary>
        public Func<DoltBackup.Locking.SqlServerInfo, bool> ServerAnswers { get; set; } = info => info.PortAnswers();

        /// <summary>
        /// The most plaintext one encrypted file may hold: AES-GCM's limit per key and nonce (2^32 - 2 blocks of 16
        /// bytes, just under 64 GiB). Tests lower it.
        /// </summary>
        internal long MaxEncryptedFileBytes { get; set; } = ((1L << 32) - 2) * 16;

        /// <summary>
        /// Plaintext bytes per part of an encrypted archive that is larger than one part (<see cref="ArchiveParts"/>):
        /// 32 GiB, well under AES-GCM's limit per key. Tests lower it.
        /// </summary>
        internal long SegmentBytes { get; set; } = ArchiveParts.DefaultSegmentBytes;

        /// <summary>
        /// TEST-ONLY: segment sizes by data dir (full path), for the PowerShell-level tests, whose cmdlets build their own
        /// options; production code never sets it.
        /// </summary>
        internal static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> SegmentBytesForTests =
            new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);

        internal static long? SegmentBytesOverride(string dataDir)
            => !SegmentBytesForTests.IsEmpty && SegmentBytesForTests.TryGetValue(dataDir, out var bytes) ? bytes : (long?)null;

        /// <summary>
        /// Moves a file or folder of the backup folder into place (or aside, or back); null: the file system's move.
        /// Tests make it fail to check that a replace never leaves the folder without a whole archive.
        /// </summary>
        internal Action<string, string> Move { get; set; }

        /// <summary>Progress callback; may be null.</summary>
        public Action<FileCopyProgress> Progress { get; set; }

        /// <summary>Stops the copy between buffers (the partial output is removed; the locks are released).</summary>
        public CancellationToken CancellationToken { get; set; }
    }
}
