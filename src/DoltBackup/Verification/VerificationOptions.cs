using System;
using System.Threading;

namespace DoltBackup.Verification
{
    /// <summary>How far a verification goes and where it reports progress.</summary>
    public sealed class VerificationOptions
    {
        /// <summary>Also decompress every chunk and compare SHA-512[:20] with its address.</summary>
        public bool Deep { get; set; }

        /// <summary>Skip the SHA-256 of recorded artifacts (structure checks only).</summary>
        public bool SkipArtifactHashes { get; set; }

        /// <summary>Certificates with private keys that open an encrypted set (its contents are then checked too).</summary>
        public System.Security.Cryptography.X509Certificates.X509Certificate2[] DecryptionCertificates { get; set; }

        /// <summary>The passphrase of an encrypted set (its contents are then checked too).</summary>
        public System.Security.SecureString Passphrase { get; set; }

        /// <summary>Called as files are checked; may be null.</summary>
        public Action<VerificationProgress> Progress { get; set; }

        /// <summary>Stops the run between files and between buffers.</summary>
        public CancellationToken CancellationToken { get; set; }

        /// <summary>
        /// Inside a FileCopy archive, table files and .darc archives up to this many bytes are checked from memory;
        /// larger ones are spooled, one at a time, to an owner-only temporary file deleted right after.
        /// </summary>
        internal int ArchiveMemoryLimit { get; set; } = ArchiveStoreScanner.DefaultInMemoryLimit;

        /// <summary>Where such spool files go (default: the temporary folder).</summary>
        internal string SpoolFolder { get; set; }

        internal void Report(string activity, string item, long done, long total)
            => Progress?.Invoke(new VerificationProgress(activity, item, done, total));
    }
}
