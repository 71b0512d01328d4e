using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using DoltBackup.Common;
using DoltBackup.Manifest;

namespace DoltBackup.Capture
{
    /// <summary>
    /// Puts captured files back, to their original paths or re-rooted under a new root. A manifest is untrusted input,
    /// so every artifact is validated before anything is written, and one refusal means nothing is written at all:
    /// a stored path that is absolute, contains '..', or resolves (through links) outside the backup folder; a target
    /// outside the target root (through links too); a stored file whose size or SHA-256 differs from the manifest; an
    /// existing different file without Force; two artifacts aimed at one target. Files are then written atomically
    /// (temp file, flush, rename) and hashed again while they are copied; secrets are written owner-only, other files
    /// get their recorded mode (permission bits only). Each artifact gets its own result.
    /// </summary>
    public sealed class ArtifactRestorer
    {
        /// <summary>
        /// Validates and, unless <see cref="ArtifactRestoreOptions.WhatIf"/>, restores. <paramref name="artifacts"/> null
        /// means <see cref="DefaultArtifacts"/>. Throws <see cref="DirectoryNotFoundException"/> when the backup folder is
        /// missing; everything else is reported per artifact.
        /// </summary>
        public ArtifactRestoreReport Restore(BackupManifest manifest, IEnumerable<BackupArtifact> artifacts, ArtifactRestoreOptions options)
        {
            if (manifest == null)
            {
                throw new ArgumentNullException(nameof(manifest));
            }
            options = options ?? new ArtifactRestoreOptions();
            if (string.IsNullOrEmpty(manifest.BackupFolder) || !Directory.Exists(manifest.BackupFolder))
            {
                throw new DirectoryNotFoundException($"The backup folder '{manifest.BackupFolder}' does not exist.");
            }
            var list = (artifacts ?? DefaultArtifacts(manifest)).ToList();
            var report = new ArtifactRestoreReport { WhatIf = options.WhatIf };

            string folder = Path.GetFullPath(manifest.BackupFolder);
            string folderReal = RealPath.Resolve(folder);
            string root = string.IsNullOrEmpty(options.TargetRoot) ? null : Path.GetFullPath(options.TargetRoot);
            string rootReal = root == null ? null : RealPath.Resolve(root);
            if (root != null && rootReal == null)
            {
                throw new IOException($"The target root '{root}' cannot be resolved (a dangling link?).");
            }

            var sources = new Dictionary<ArtifactRestoreResult, string>();
            var decrypted = new Dictionary<ArtifactRestoreResult, byte[]>();
            var targets = new Dictionary<string, ArtifactRestoreResult>(OwnerOnlyFile.IsUnix ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
            foreach (var artifact in list)
            {
                var item = new ArtifactRestoreResult
                {
                    Artifact = artifact,
                    Kind = artifact.Kind,
                    Database = artifact.Database,
                    StoredPath = artifact.StoredPath,
                    OriginalPath = artifact.OriginalPath,
                    Secret = artifact.Secret,
                };
                report.Items.Add(item);
                if (artifact.Status != ItemStatus.Completed)
                {
                    item.Status = ArtifactRestoreStatus.Skipped;
                    item.Reason = $"The artifact was not captured (status {artifact.Status}): there is nothing to restore.";
                    continue;
                }
                string target = null, action = null;
                string refusal = ValidateSource(artifact, folder, folderReal, out string source, out string refusalId);
                if (refusal == null && artifact.Encrypted)
                {
                    // Decrypted and authenticated now, with every other check, before the first write.
                    refusal = Decrypt(manifest, artifact, source, out var plain, out refusalId);
                    decrypted[item] = plain;
                }
                if (refusal == null)
                {
                    refusal = ValidateTarget(artifact, root, rootReal, options.Force, out target, out action, out refusalId);
                }
                item.TargetPath = target;
                if (refusal != null)
                {
                    item.Status = ArtifactRestoreStatus.Refused;
                    item.Reason = refusal;
                    item.RefusalId = refusalId;
                    continue;
                }
                if (targets.TryGetValue(target, out var other))
                {
                    item.Status = other.Status = ArtifactRestoreStatus.Refused;
                    item.Reason = other.Reason = $"Two artifacts of the manifest would both be written to '{target}'.";
                    item.RefusalId = other.RefusalId = ArtifactRefusal.TargetUnsafe;
                    continue;
                }
                targets[target] = item;
                sources[item] = source;
                item.Action = action;
                item.Status = action == null ? ArtifactRestoreStatus.Unchanged : ArtifactRestoreStatus.Planned;
            }

            if (report.Refused)
            {
                int refused = report.Items.Count(i => i.Status == ArtifactRestoreStatus.Refused);
                foreach (var item in report.Items.Where(i => i.Status == ArtifactRestoreStatus.Planned))
                {
                    item.Status = ArtifactRestoreStatus.NotWritten;
                    item.Reason = $"Nothing was written: {refused} artifact(s) of this restore were refused.";
                }
                return report;
            }
            if (options.WhatIf)
            {
                return report;
            }

            foreach (var item in report.Items.Where(i => i.Status == ArtifactRestoreStatus.Planned))
            {
                try
                {
                    int? mode = item.Secret ? (int?)null : ParseMode(item.Artifact.Mode);
                    bool ownerOnly = item.Secret || (mode.HasValue && (mode.Value & Convert.ToInt32("077", 8)) == 0);
                    if (decrypted.TryGetValue(item, out var plain))
                    {
                        using (var input = new MemoryStream(plain, writable: false))
                        {
                            HashedCopy.CopyStream(input, item.TargetPath, ownerOnly, item.Artifact.PlaintextSha256, mode);
                        }
                    }
                    else
                    {
                        HashedCopy.CopyFile(sources[item], item.TargetPath, ownerOnly, item.Artifact.Sha256, mode);
                    }
                    item.Status = ArtifactRestoreStatus.Restored;
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
                {
                    item.Status = ArtifactRestoreStatus.Failed;
                    item.Reason = e.Message;
                }
            }
            return report;
        }

        /// <summary>The plaintext of an encrypted stored file (null refusal), or why it cannot be used.</summary>
        private static string Decrypt(BackupManifest manifest, BackupArtifact artifact, string source, out byte[] plain, out string refusalId)
        {
            plain = null;
            refusalId = Encryption.SetEncryption.KeyRequiredErrorId;
            if (manifest.SessionDecryptionKeys == null)
            {
                return $"The stored file '{artifact.StoredPath}' is encrypted and no key was given.";
            }
            refusalId = ArtifactRefusal.DecryptionFailed;
            try
            {
                plain = Encryption.SetEncryption.DecryptVerified(File.ReadAllBytes(source), artifact, manifest.SessionDecryptionKeys);
                return null;
            }
            catch (Encryption.EncryptionException e)
            {
                return e.Message;
            }
        }

        /// <summary>
        /// The artifacts a restore puts back unless told otherwise: every configuration artifact of the manifest
        /// (<see cref="ArtifactKind.IsConfigurationKind"/>) except sql-server.info, a runtime file of the server that
        /// captured it: a stale copy makes <c>dolt init</c> refuse to run and the CLI look for a server that is gone.
        /// </summary>
        public static IEnumerable<BackupArtifact> DefaultArtifacts(BackupManifest manifest)
            => manifest.Artifacts.Where(a => ArtifactKind.IsConfigurationKind(a.Kind) && a.Kind != ArtifactKind.ServerInfo);

        /// <summary>
        /// The target of an original absolute path under a new root: /etc/x → root/etc/x; C:\x → root\C\x;
        /// \\server\share\x → root\server\share\x.
        /// </summary>
        public static string MapToRoot(string originalPath, string root)
        {
            string full = Path.GetFullPath(originalPath);
            string pathRoot = Path.GetPathRoot(full) ?? "";
            string rest = full.Substring(pathRoot.Length);
            string prefix = pathRoot.Trim(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Replace(":", "");
            prefix = prefix.Replace(Path.DirectorySeparatorChar, '_').Replace(Path.AltDirectorySeparatorChar, '_');
            string relative = prefix.Length == 0 ? rest : Path.Combine(prefix, rest);
            return Path.GetFullPath(Path.Combine(Path.GetFullPath(root), relative));
        }

        private static string ValidateSource(BackupArtifact artifact, string folder, string folderReal, out string source, out string refusalId)
        {
            source = null;
            refusalId = ArtifactRefusal.PathUnsafe;
            string stored = artifact.StoredPath;
            if (string.IsNullOrEmpty(stored) || stored.IndexOf('\0') >= 0)
            {
                return "The artifact has no stored path.";
            }
            if (Path.IsPathRooted(stored) || stored.StartsWith("/", StringComparison.Ordinal) || stored.StartsWith("\\", StringComparison.Ordinal)
                || (stored.Length >= 2 && stored[1] == ':'))
            {
                return $"The stored path '{stored}' is absolute: a manifest may only name files inside its backup folder.";
            }
            if (stored.Split('/', '\\').Any(s => s == ".."))
            {
                return $"The stored path '{stored}' contains '..': a manifest may only name files inside its backup folder.";
            }
            string full = Path.GetFullPath(Path.Combine(folder, stored.Replace('/', Path.DirectorySeparatorChar)));
            if (!RealPath.IsInside(full, folder) || string.Equals(full.TrimEnd(Path.DirectorySeparatorChar), folder.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            {
                return $"The stored path '{stored}' lies outside the backup folder.";
            }
            string real = RealPath.Resolve(full);
            if (real == null || !RealPath.IsInside(real, folderReal))
            {
                return $"The stored path '{stored}' resolves through a link to outside the backup folder.";
            }
            refusalId = ArtifactRefusal.Missing;
            if (!File.Exists(real))
            {
                return Directory.Exists(real) ? $"The stored path '{stored}' is a directory, not a file." : $"The stored file '{stored}' is missing from the backup folder.";
            }
            refusalId = ArtifactRefusal.HashMismatch;
            if (string.IsNullOrEmpty(artifact.Sha256) || artifact.Sha256.Length != 64)
            {
                return $"The manifest gives no valid SHA-256 for '{stored}': it cannot be verified.";
            }
            HashedCopy.Outcome actual;
            try
            {
                actual = HashedCopy.HashFile(real);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                refusalId = ArtifactRefusal.Unreadable;
                return $"The stored file '{stored}' cannot be read: {e.Message}";
            }
            if (actual.Size != artifact.Size)
            {
                return $"The stored file '{stored}' has {actual.Size} bytes, but the manifest records {artifact.Size}: it was changed or damaged.";
            }
            if (!string.Equals(actual.Sha256, artifact.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return $"The stored file '{stored}' has SHA-256 {actual.Sha256}, but the manifest records {artifact.Sha256}: it was changed or damaged.";
            }
            source = real;
            return null;
        }

        private static string ValidateTarget(BackupArtifact artifact, string root, string rootReal, bool force, out string target, out string action, out string refusalId)
        {
            target = null;
            action = null;
            refusalId = ArtifactRefusal.TargetUnsafe;
            string original = artifact.OriginalPath;
            if (string.IsNullOrEmpty(original) || original.IndexOf('\0') >= 0 || !Path.IsPathRooted(original))
            {
                return $"The original path '{original}' is not absolute: the file cannot be put back without guessing.";
            }
            if (original.Split('/', '\\').Any(s => s == ".."))
            {
                return $"The original path '{original}' contains '..'.";
            }
            try
            {
                target = root == null ? Path.GetFullPath(original) : MapToRoot(original, root);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
            {
                return $"The original path '{original}' is not a valid path here: {e.Message}";
            }
            if (root != null)
            {
                if (!RealPath.IsInside(target, root))
                {
                    return $"The target '{target}' lies outside the target root '{root}'.";
                }
                string real = RealPath.Resolve(target);
                if (real == null || !RealPath.IsInside(real, rootReal))
                {
                    return $"The target '{target}' resolves through a link to outside the target root '{root}'.";
                }
            }
            if (Directory.Exists(target))
            {
                return $"The target '{target}' is a directory.";
            }
            if (!File.Exists(target))
            {
                action = "Create";
                return null;
            }
            string existing;
            try
            {
                existing = HashedCopy.HashFile(target).Sha256;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return $"The existing file '{target}' cannot be read to compare it: {e.Message}";
            }
            if (string.Equals(existing, artifact.Encrypted ? artifact.PlaintextSha256 : artifact.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return null; // Unchanged
            }
            if (!force)
            {
                refusalId = ArtifactRefusal.TargetExists;
                return $"The file '{target}' exists and differs from the backup. Use -Force to overwrite it.";
            }
            action = "Overwrite";
            return null;
        }

        // "0640" → 0x1A0; permission bits only (no setuid, setgid or sticky from an untrusted manifest).
        private static int? ParseMode(string mode)
        {
            if (string.IsNullOrEmpty(mode) || mode.Length > 6 || mode.Any(c => c < '0' || c > '7'))
            {
                return null;
            }
            return Convert.ToInt32(mode, 8) & Convert.ToInt32("777", 8);
        }
    }
}
