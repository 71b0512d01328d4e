using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>
    /// Reads a file stored in a backup folder only after proving it is the file the manifest describes: the stored
    /// path is relative, has no '..', passes through no link, stays inside the backup folder, and its size and SHA-256
    /// match. A manifest is untrusted input.
    /// </summary>
    public static class StoredArtifactReader
    {
        /// <summary>The verified bytes, or a <see cref="RestoreEngineException"/> (ArtifactPathUnsafe, ArtifactMissing, ArtifactHashMismatch).</summary>
        public static byte[] ReadVerified(string backupFolder, BackupArtifact artifact, Encryption.EncryptionKeys keys = null)
        {
            string path = ResolveExisting(backupFolder, artifact);
            byte[] bytes = File.ReadAllBytes(path);
            EnsureMatches(artifact, bytes.LongLength, Sha256Hex(bytes));
            return artifact.Encrypted ? Decrypt(bytes, artifact, keys) : bytes;
        }

        /// <summary>
        /// Proves, without keeping its bytes, that the stored file is the one the manifest describes (path, links, size,
        /// SHA-256; read once, streaming: fit for a large archive). Returns the full path, or throws a
        /// <see cref="RestoreEngineException"/> (ArtifactPathUnsafe, ArtifactMissing, ArtifactHashMismatch, ArtifactUnreadable).
        /// </summary>
        public static string Verify(string backupFolder, BackupArtifact artifact)
        {
            string path = ResolveExisting(backupFolder, artifact);
            Capture.HashedCopy.Outcome actual;
            try
            {
                actual = Capture.HashedCopy.HashFile(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new RestoreEngineException($"The stored file '{artifact.StoredPath}' cannot be read: {e.Message}", "ArtifactUnreadable",
                    ErrorCategory.ReadError, "Run as a user that can read the whole backup folder.");
            }
            EnsureMatches(artifact, actual.Size, actual.Sha256);
            return path;
        }

        /// <summary>
        /// The full path of an existing stored file, after its stored path is proven safe (relative, no '..', no link
        /// on the way, inside the backup folder); its contents are not read. Throws a <see cref="RestoreEngineException"/>
        /// (ArtifactPathUnsafe, ArtifactMissing).
        /// </summary>
        public static string ResolveExisting(string backupFolder, BackupArtifact artifact)
        {
            string path = ResolveInside(backupFolder, artifact);
            if (!File.Exists(path))
            {
                throw new RestoreEngineException($"The stored file '{artifact.StoredPath}' is missing from the backup folder '{backupFolder}'.", "ArtifactMissing",
                    ErrorCategory.ObjectNotFound, "Restore from a complete copy of the backup folder.");
            }
            return path;
        }

        private static void EnsureMatches(BackupArtifact artifact, long size, string sha)
        {
            if (string.IsNullOrEmpty(artifact.Sha256) || !string.Equals(sha, artifact.Sha256, StringComparison.OrdinalIgnoreCase) || (artifact.Size > 0 && size != artifact.Size))
            {
                throw new RestoreEngineException(
                    $"The stored file '{artifact.StoredPath}' does not match its manifest entry (SHA-256 {sha}, {size} bytes; the manifest says {artifact.Sha256 ?? "(none)"}, {artifact.Size} bytes): it was changed or damaged, and was not used.",
                    "ArtifactHashMismatch", ErrorCategory.InvalidData, "Restore from an intact copy of the backup; do not edit files inside a backup folder.");
            }
        }

        /// <summary>The plaintext of a verified encrypted file, authenticated and matching its recorded plaintext hash.</summary>
        private static byte[] Decrypt(byte[] ciphertext, BackupArtifact artifact, Encryption.EncryptionKeys keys)
        {
            if (keys == null)
            {
                throw new RestoreEngineException($"The stored file '{artifact.StoredPath}' is encrypted and no key was given.", Encryption.SetEncryption.KeyRequiredErrorId,
                    ErrorCategory.SecurityError, "Give -DecryptionCertificate (with its private key) or -Passphrase; nothing was written.");
            }
            try
            {
                return Encryption.SetEncryption.DecryptVerified(ciphertext, artifact, keys);
            }
            catch (Encryption.EncryptionException e)
            {
                throw new RestoreEngineException(e.Message, "ArtifactDecryptionFailed", ErrorCategory.SecurityError,
                    "Give the key the set was encrypted to (see the manifest's encryption recipients), and restore from an intact copy; nothing was written.");
            }
        }

        /// <summary>Lower-case hex SHA-256 of <paramref name="bytes"/>.</summary>
        public static string Sha256Hex(byte[] bytes)
        {
            using (var sha = SHA256.Create())
            {
                return string.Concat(sha.ComputeHash(bytes).Select(b => b.ToString("x2")));
            }
        }

        private static string ResolveInside(string backupFolder, BackupArtifact artifact)
        {
            string stored = artifact?.StoredPath;
            if (string.IsNullOrEmpty(backupFolder))
            {
                throw Unsafe(stored, "the manifest was not read from a backup folder");
            }
            if (string.IsNullOrWhiteSpace(stored) || Path.IsPathRooted(stored) || stored.IndexOf(':') >= 0 || stored.IndexOf('\0') >= 0)
            {
                throw Unsafe(stored, "it is empty or absolute");
            }
            var parts = stored.Split('/', '\\');
            if (parts.Any(p => p == ".." || p == "." || p.Length == 0))
            {
                throw Unsafe(stored, "it contains '..', '.' or an empty segment");
            }
            string root = Path.GetFullPath(backupFolder).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            string current = root;
            foreach (string part in parts)
            {
                current = Path.Combine(current, part);
                if (IsLink(current))
                {
                    throw Unsafe(stored, "it passes through a symbolic link or junction");
                }
            }
            string full = Path.GetFullPath(current);
            if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw Unsafe(stored, "it resolves outside the backup folder");
            }
            return full;
        }

        /// <summary>True when <paramref name="path"/> itself (not what it points to) is a symbolic link or junction, dangling or not.</summary>
        public static bool IsLink(string path)
        {
            var info = new FileInfo(path);
            var attributes = info.Attributes; // (FileAttributes)(-1) when nothing is there
            return (int)attributes != -1 && (attributes & FileAttributes.ReparsePoint) != 0;
        }

        private static RestoreEngineException Unsafe(string stored, string why)
            => new RestoreEngineException($"The manifest's stored path '{stored}' was refused: {why}. Nothing was read or written.", "ArtifactPathUnsafe",
                ErrorCategory.SecurityError, "Use a manifest written by DoltBackup; a manifest edited to point elsewhere is refused.");
    }
}
