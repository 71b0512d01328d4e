using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>
    /// Checks a FileCopy set before anything is unpacked, and reports every problem, not just the first: each recorded
    /// data file (a relative name without '..', a known SHA-256, status Completed, recorded once), every stored file the
    /// restore reads (the archive, or each file of the plain tree: inside the backup folder, no link on the way, size
    /// and SHA-256 as recorded), and the target data directory (not a file, not in use, empty unless -Force).
    /// The archive is read once, writing nothing, and each entry checked against its recorded data file. An object-store
    /// set streamed by the restore (<c>streamed</c> given) is checked here by the listing only (each stored file there,
    /// with its recorded size); its contents are checked in the restore's one pass, before anything is moved into place.
    /// </summary>
    public static class FileCopySetValidator
    {
        /// <summary>At most this many problems about single files are listed; the rest are counted in one more.</summary>
        public const int MaxFileProblems = 20;

        /// <summary>The problems (empty when the set may be unpacked into <paramref name="targetDataDir"/>; a null target is not checked).</summary>
        public static List<PlanProblem> Validate(BackupManifest manifest, string targetDataDir, bool force)
            => Validate(manifest, targetDataDir, force, null);

        /// <summary>
        /// As <see cref="Validate(BackupManifest, string, bool)"/>; the stored files of <paramref name="streamed"/> (an
        /// object-store set, when not null) are checked by their listed sizes, their contents while they are unpacked.
        /// </summary>
        public static List<PlanProblem> Validate(BackupManifest manifest, string targetDataDir, bool force, Verification.SetFileSource streamed)
        {
            var problems = new List<PlanProblem>();
            string id = manifest?.Id ?? manifest?.Name;
            if (manifest == null || manifest.Method != BackupMethod.FileCopy || string.IsNullOrEmpty(manifest.BackupFolder))
            {
                problems.Add(new PlanProblem("FileCopyRestoreFailed", $"The backup '{id}' is not a FileCopy backup read from its backup folder.", id,
                    "Give the folder of a FileCopy backup set (Get-DoltBackup <folder>)."));
                return problems;
            }
            var fileProblems = new List<PlanProblem>();
            var files = manifest.Artifacts.Where(a => a != null && a.Kind == FileCopyLayout.DataFileKind).ToList();
            var archives = manifest.Artifacts.Where(a => a != null && a.Kind == FileCopyLayout.DataArchiveKind).ToList();
            if (files.Count == 0)
            {
                problems.Add(Problem("ArtifactMissing", $"The FileCopy backup '{id}' records no data files: there is nothing to restore.", id));
            }
            foreach (var archive in archives)
            {
                if (streamed != null)
                {
                    if (ArchiveParts.IsSplit(archive))
                    {
                        // Each part listed with its recorded size (its bytes, tag and plaintext are checked while it is unpacked).
                        CheckParts(archive, fileProblems, (part, file) => CheckListed(streamed, file, "archive part", fileProblems, shaRequired: true), streamed.SizeOf);
                    }
                    else
                    {
                        CheckListed(streamed, archive, "archive", fileProblems, shaRequired: false); // its files' hashes prove it
                    }
                }
                else
                {
                    CheckArchive(manifest, archive, files, fileProblems);
                }
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                string stored = file.StoredPath;
                if (file.Status != ItemStatus.Completed)
                {
                    fileProblems.Add(Problem("ArtifactMissing", $"The data file '{stored}' was recorded as {file.Status}: the copy is incomplete.", stored));
                    continue;
                }
                if (!seen.Add(stored ?? ""))
                {
                    fileProblems.Add(Problem("ArtifactPathUnsafe", $"The data file '{stored}' is recorded twice.", stored));
                    continue;
                }
                if (archives.Count > 0)
                {
                    if (!archives.Any(a => string.Equals(a.StoredPath, file.Archive, StringComparison.Ordinal)))
                    {
                        fileProblems.Add(Problem("ArtifactMissing", $"The data file '{stored}' is recorded in the archive '{file.Archive}', which the manifest does not record.", stored));
                    }
                    else if (ArchiveEntryPath.Resolve(manifest.BackupFolder, stored) == null)
                    {
                        fileProblems.Add(Problem("ArtifactPathUnsafe", $"The data file '{stored}' is not a relative path inside the data directory (absolute, '..', '.', an empty segment or a backslash).", stored));
                    }
                    else if (!IsSha256(file.Sha256) || file.Size < 0)
                    {
                        fileProblems.Add(Problem("ArtifactHashMismatch", $"The manifest gives no valid size and SHA-256 for the data file '{stored}': it cannot be verified.", stored));
                    }
                    continue;
                }
                string prefix = FileCopyLayout.TreeFolder + "/";
                if (stored == null || !stored.StartsWith(prefix, StringComparison.Ordinal) || ArchiveEntryPath.Resolve(manifest.BackupFolder, stored.Substring(prefix.Length)) == null)
                {
                    fileProblems.Add(Problem("ArtifactPathUnsafe", $"The data file '{stored}' is not a relative path inside the backup's {prefix} folder (absolute, '..', '.', or an empty segment).", stored));
                    continue;
                }
                if (streamed != null)
                {
                    CheckListed(streamed, file, "data file", fileProblems, shaRequired: true);
                }
                else
                {
                    CheckStored(manifest, file, "data file", fileProblems);
                }
            }
            if (streamed != null && fileProblems.Count == 0)
            {
                CheckKey(manifest, streamed, archives.Count > 0 ? archives.SelectMany(ArchiveParts.StoredFiles).ToList() : files, fileProblems);
            }
            problems.AddRange(fileProblems.Take(MaxFileProblems));
            if (fileProblems.Count > MaxFileProblems)
            {
                problems.Add(Problem("ArtifactHashMismatch", $"{fileProblems.Count - MaxFileProblems} more stored file(s) of the backup '{id}' were refused (only the first {MaxFileProblems} are listed).", id));
            }
            if (!string.IsNullOrEmpty(targetDataDir))
            {
                CheckTarget(targetDataDir, force, problems);
            }
            return problems;
        }

        private static void CheckArchive(BackupManifest manifest, BackupArtifact archive, List<BackupArtifact> files, List<PlanProblem> problems)
        {
            try
            {
                if (archive.Status != ItemStatus.Completed)
                {
                    problems.Add(Problem("ArtifactMissing", $"The archive '{archive.StoredPath}' was recorded as {archive.Status}: the copy is incomplete.", archive.StoredPath));
                    return;
                }
                if (ArchiveParts.IsSplit(archive))
                {
                    if (!CheckParts(archive, problems, (part, file) => CheckStoredPart(manifest.BackupFolder, archive, part, file, problems),
                        n => File.Exists(Path.Combine(manifest.BackupFolder, n)) ? 0 : (long?)null))
                    {
                        return;
                    }
                }
                else
                {
                    string path = StoredArtifactReader.ResolveExisting(manifest.BackupFolder, archive);
                    long size = new FileInfo(path).Length;
                    if (archive.Size > 0 && size != archive.Size)
                    {
                        problems.Add(Problem("ArtifactHashMismatch", $"The archive '{archive.StoredPath}' has {size} bytes, but the manifest records {archive.Size}: it was changed or damaged.", archive.StoredPath));
                        return;
                    }
                }
            }
            catch (RestoreEngineException e)
            {
                problems.Add(new PlanProblem(e.ErrorId, $"The archive '{archive.StoredPath}' was refused: {e.Message}", archive.StoredPath, e.RecommendedAction));
                return;
            }
            // One read of the archive, writing nothing: every entry against its recorded size and SHA-256 (and the
            // archive's own SHA-256 when recorded). Unpacking checks them again as it writes into its staging folder.
            try
            {
                foreach (var e in FileCopyRestore.CheckArchive(manifest, archive, files))
                {
                    problems.Add(Problem(ProblemId(e), $"In the archive '{archive.StoredPath}': {e.Message}", e.Path ?? archive.StoredPath));
                }
            }
            catch (FileCopyRestoreException e)
            {
                // An encrypted archive that does not open with the keys given, or fails its authentication check.
                problems.Add(Problem(ProblemId(e), $"The archive '{archive.StoredPath}' was refused: {e.Message}", archive.StoredPath));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                problems.Add(Problem("ArtifactUnreadable", $"The archive '{archive.StoredPath}' cannot be read: {e.Message}", archive.StoredPath));
            }
        }

        /// <summary>
        /// An archive stored in parts, before it is read: the parts recorded in order, each part checked by
        /// <paramref name="checkPart"/> (given its record and itself as a stored file; false when it added a problem),
        /// and no further part stored after the last (<paramref name="sizeOf"/>: a stored file's size, null when there is
        /// none). False (with the problems) when it cannot be read.
        /// </summary>
        private static bool CheckParts(BackupArtifact archive, List<PlanProblem> problems, Func<ArchivePart, BackupArtifact, bool> checkPart, Func<string, long?> sizeOf)
        {
            string record = ArchiveParts.RecordProblem(archive);
            if (record != null)
            {
                problems.Add(Problem("ArtifactHashMismatch", record, archive.StoredPath));
                return false;
            }
            // Every part is checked (no short-circuit), so each problem is listed.
            bool sound = archive.Parts.Zip(ArchiveParts.StoredFiles(archive), checkPart).ToList().All(ok => ok);
            string extra = ArchiveParts.ExtraPart(archive, sizeOf);
            if (extra != null)
            {
                problems.Add(Problem("ArtifactHashMismatch", extra, ArchiveParts.PartName(archive.StoredPath, archive.Parts.Count + 1)));
                sound = false;
            }
            return sound;
        }

        /// <summary>A part of a local archive: stored (a safe path, no link) with its recorded size.</summary>
        private static bool CheckStoredPart(string backupFolder, BackupArtifact archive, ArchivePart part, BackupArtifact file, List<PlanProblem> problems)
        {
            string partPath;
            try
            {
                partPath = StoredArtifactReader.ResolveExisting(backupFolder, file);
            }
            catch (RestoreEngineException e)
            {
                problems.Add(new PlanProblem(e.ErrorId, $"The archive '{archive.StoredPath}' was refused at {ArchiveParts.Describe(archive, part)}: {e.Message}", part.StoredPath, e.RecommendedAction));
                return false;
            }
            long size = new FileInfo(partPath).Length;
            if (size != part.Size)
            {
                problems.Add(Problem("ArtifactHashMismatch", $"The archive '{archive.StoredPath}' was refused at {ArchiveParts.Describe(archive, part)}: it has {size} bytes, but the manifest records {part.Size} (truncated, replaced or from another set).", part.StoredPath));
                return false;
            }
            return true;
        }

        private static string ProblemId(FileCopyRestoreException e)
            => e.Failure == FileCopyRestoreFailure.UnsafeEntry ? "ArtifactPathUnsafe"
                : e.Failure == FileCopyRestoreFailure.DecryptionFailed ? "ArtifactDecryptionFailed"
                : "ArtifactHashMismatch";

        private static void CheckStored(BackupManifest manifest, BackupArtifact artifact, string what, List<PlanProblem> problems)
        {
            if (artifact.Status != ItemStatus.Completed)
            {
                problems.Add(Problem("ArtifactMissing", $"The {what} '{artifact.StoredPath}' was recorded as {artifact.Status}: the copy is incomplete.", artifact.StoredPath));
                return;
            }
            if (!IsSha256(artifact.Sha256))
            {
                problems.Add(Problem("ArtifactHashMismatch", $"The manifest gives no valid SHA-256 for the {what} '{artifact.StoredPath}': it cannot be verified.", artifact.StoredPath));
                return;
            }
            try
            {
                StoredArtifactReader.Verify(manifest.BackupFolder, artifact);
            }
            catch (RestoreEngineException e)
            {
                problems.Add(new PlanProblem(e.ErrorId, $"The {what} '{artifact.StoredPath}' was refused: {e.Message}", artifact.StoredPath, e.RecommendedAction));
            }
        }

        /// <summary>A stored file of a streamed set: recorded Completed (with a SHA-256 when required), listed with its recorded size. False when it added a problem.</summary>
        private static bool CheckListed(Verification.SetFileSource streamed, BackupArtifact artifact, string what, List<PlanProblem> problems, bool shaRequired)
        {
            if (artifact.Status != ItemStatus.Completed)
            {
                problems.Add(Problem("ArtifactMissing", $"The {what} '{artifact.StoredPath}' was recorded as {artifact.Status}: the copy is incomplete.", artifact.StoredPath));
                return false;
            }
            if (shaRequired && !IsSha256(artifact.Sha256))
            {
                problems.Add(Problem("ArtifactHashMismatch", $"The manifest gives no valid SHA-256 for the {what} '{artifact.StoredPath}': it cannot be verified.", artifact.StoredPath));
                return false;
            }
            long? size = string.IsNullOrEmpty(artifact.StoredPath) ? null : streamed.SizeOf(artifact.StoredPath);
            if (size == null)
            {
                problems.Add(Problem("ArtifactMissing", $"The {what} '{artifact.StoredPath}' is missing: '{streamed.Display(artifact.StoredPath ?? "")}' does not exist.", artifact.StoredPath));
                return false;
            }
            if (artifact.Size > 0 && size != artifact.Size)
            {
                problems.Add(Problem("ArtifactHashMismatch", $"The {what} '{streamed.Display(artifact.StoredPath)}' has {size} bytes, but the manifest records {artifact.Size}: it was changed or damaged.", artifact.StoredPath));
                return false;
            }
            return true;
        }

        /// <summary>
        /// An encrypted streamed set: the key given must open it before the first write. The first encrypted stored
        /// file's CMS header is read (its first bytes only; the stream is then closed) and its content key unwrapped.
        /// </summary>
        private static void CheckKey(BackupManifest manifest, Verification.SetFileSource streamed, List<BackupArtifact> stored, List<PlanProblem> problems)
        {
            var first = stored.FirstOrDefault(a => a.Encrypted && !string.IsNullOrEmpty(a.StoredPath));
            if (first == null)
            {
                return;
            }
            if (manifest.SessionDecryptionKeys == null)
            {
                problems.Add(Problem("ArtifactDecryptionFailed", $"'{first.StoredPath}' is encrypted and no key was given.", first.StoredPath));
                return;
            }
            try
            {
                using (var raw = streamed.Open(first.StoredPath, System.Threading.CancellationToken.None))
                using (Encryption.SetEncryption.OpenDecryptingLarge(raw, manifest.SessionDecryptionKeys, first.StoredPath, ownsInput: false, hashPlaintext: false))
                {
                }
            }
            catch (Encryption.EncryptionException e)
            {
                problems.Add(Problem("ArtifactDecryptionFailed", $"The key given does not open '{first.StoredPath}': {e.Message}", first.StoredPath));
            }
            catch (Storage.StorageException e)
            {
                problems.Add(new PlanProblem(e.ErrorId, $"'{first.StoredPath}' could not be read to check the key: {e.Message}", first.StoredPath, e.RecommendedAction));
            }
        }

        private static void CheckTarget(string targetDataDir, bool force, List<PlanProblem> problems)
        {
            var refusal = FileCopyRestore.TargetProblem(targetDataDir, force);
            if (refusal != null)
            {
                string id = refusal.Failure == FileCopyRestoreFailure.TargetInUse ? "DataDirInUse" : "DataDirExists";
                problems.Add(Problem(id, refusal.Message + " Nothing was restored.", refusal.Path));
            }
        }

        private static bool IsSha256(string sha) => sha != null && sha.Length == 64 && sha.All(Uri.IsHexDigit);

        private static PlanProblem Problem(string errorId, string message, string target)
            => new PlanProblem(errorId, message, target, RestoreErrorAdvice.RecommendedAction(errorId));
    }
}
