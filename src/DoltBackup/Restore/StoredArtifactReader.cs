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
            string path = ResolveInside(backupFolder, artifact);
            if (!File.Exists(path))
            {
                throw new RestoreEngineException($"The stored file '{artifact.StoredPath}' is missing from the backup folder '{backupFolder}'.", "ArtifactMissing",
                    ErrorCategory.ObjectNotFound, "Restore from a complete copy of the backup folder.");
            }
            byte[] bytes = File.ReadAllBytes(path);
            string sha = Sha256Hex(bytes);
            if (string.IsNullOrEmpty(artifact.Sha256) || !string.Equals(sha, artifact.Sha256, StringComparison.OrdinalIgnoreCase) || (artifact.Size > 0 && bytes.LongLength != artifact.Size))
            {
                throw new RestoreEngineException(
                    $"The stored file '{artifact.StoredPath}' does not match its manifest entry (SHA-256 {sha}, {bytes.LongLength} bytes; the manifest says {artifact.Sha256 ?? "(none)"}, {artifact.Size} bytes): it was changed or damaged, and was not used.",
                    "ArtifactHashMismatch", ErrorCategory.InvalidData, "Restore from an intact copy of the backup; do not edit files inside a backup folder.");
            }
            return artifact.Encrypted ? Decrypt(bytes, artifact, keys) : bytes;
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
                if ((File.Exists(current) || Directory.Exists(current)) && (File.GetAttributes(current) & FileAttributes.ReparsePoint) != 0)
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

        private static RestoreEngineException Unsafe(string stored, string why)
            => new RestoreEngineException($"The manifest's stored path '{stored}' was refused: {why}. Nothing was read or written.", "ArtifactPathUnsafe",
                ErrorCategory.SecurityError, "Use a manifest written by DoltBackup; a manifest edited to point elsewhere is refused.");
    }
}
