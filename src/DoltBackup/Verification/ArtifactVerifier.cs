using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;

namespace DoltBackup.Verification
{
    /// <summary>
    /// Checks the files a backup manifest records: each present, with the recorded size and SHA-256. Files inside a
    /// FileCopy archive are checked in the same pass that hashes the archive itself (each byte read once).
    /// </summary>
    public static class ArtifactVerifier
    {
        private const int BufferSize = 1 << 20;

        /// <summary>Checks every artifact of a manifest whose backup folder is known.</summary>
        public static void Verify(BackupManifest manifest, VerificationOptions options, Action<VerificationResult> emit)
            => Verify(manifest, options, emit, null);

        /// <summary>
        /// Checks every artifact; while a FileCopy archive streams by, <paramref name="storesIn"/> (given the archive's
        /// stored path) may return a scanner that checks the Dolt stores inside it in the same pass.
        /// </summary>
        internal static void Verify(BackupManifest manifest, VerificationOptions options, Action<VerificationResult> emit, Func<string, ArchiveStoreScanner> storesIn, SetFileSource files = null)
        {
            options = options ?? new VerificationOptions();
            string folder = manifest.BackupFolder;
            files = files ?? (string.IsNullOrEmpty(folder) ? null : SetFileSource.Folder(folder));
            var inArchives = manifest.Artifacts.Where(a => !string.IsNullOrEmpty(a.Archive)).GroupBy(a => a.Archive, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var buffer = new byte[BufferSize];
            Encryption.EncryptionKeys keys = null;
            if (manifest.Encryption != null)
            {
                bool keyGiven = (options.DecryptionCertificates != null && options.DecryptionCertificates.Length > 0) || (options.Passphrase != null && options.Passphrase.Length > 0);
                try
                {
                    keys = keyGiven ? Encryption.SetEncryption.ForReading(manifest, options.DecryptionCertificates, options.Passphrase) : null;
                }
                catch (Encryption.EncryptionException e)
                {
                    emit(new VerificationResult(manifest.Id, "Encryption.Key", VerificationStatus.Failed, e.Message, VerificationLevel.Artifact, folder));
                }
                if (keys == null)
                {
                    emit(new VerificationResult(manifest.Id, "Encryption.Contents", VerificationStatus.Skipped,
                        $"The set is encrypted: every stored byte is checked against its SHA-256, the contents are not. To check them too, give {Encryption.SetEncryption.NeededKeys(manifest)}.",
                        VerificationLevel.Artifact, folder));
                }
            }
            foreach (var artifact in manifest.Artifacts.Where(a => string.IsNullOrEmpty(a.Archive)))
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                inArchives.TryGetValue(artifact.StoredPath ?? "", out var entries);
                inArchives.Remove(artifact.StoredPath ?? "");
                if (artifact.Encrypted && keys == null && entries != null)
                {
                    foreach (var e in entries.Where(e => e.Status == ItemStatus.Completed))
                    {
                        emit(Result(e, "Artifact.Sha256", VerificationStatus.Skipped, "Not checked: its archive is encrypted and no key was given.", null));
                    }
                    entries = null;
                }
                if (ArchiveParts.IsSplit(artifact))
                {
                    VerifyParts(files, artifact, entries, options, emit, buffer, entries == null ? null : storesIn?.Invoke(artifact.StoredPath), keys);
                    continue;
                }
                VerifyFile(files, artifact, entries, options, emit, buffer, entries == null ? null : storesIn?.Invoke(artifact.StoredPath), artifact.Encrypted ? keys : null);
            }
            // Entries whose archive is not itself a recorded artifact: still check them.
            foreach (var pair in inArchives)
            {
                var synthetic = new BackupArtifact { Kind = FileCopyLayout.DataArchiveKind, StoredPath = pair.Key, Size = -1 };
                VerifyFile(files, synthetic, pair.Value, options, emit, buffer, storesIn?.Invoke(pair.Key), null);
            }
        }

        /// <summary>Checks the artifacts and returns the results.</summary>
        public static List<VerificationResult> Verify(BackupManifest manifest, VerificationOptions options = null)
        {
            var results = new List<VerificationResult>();
            Verify(manifest, options, results.Add);
            return results;
        }

        private static VerificationResult Result(BackupArtifact a, string check, VerificationStatus status, string message, string path)
            => new VerificationResult(a.Archive == null ? a.StoredPath : a.Archive + ":" + a.StoredPath, check, status, message, VerificationLevel.Artifact, path);

        private static void VerifyFile(SetFileSource files, BackupArtifact artifact, List<BackupArtifact> entries, VerificationOptions options,
            Action<VerificationResult> emit, byte[] buffer, ArchiveStoreScanner stores, Encryption.EncryptionKeys keys)
        {
            bool recorded = artifact.Size >= 0;
            if (artifact.Status != ItemStatus.Completed)
            {
                emit(Result(artifact, "Artifact.Present", VerificationStatus.Skipped, $"Not checked: the backup recorded this {artifact.Kind} as {artifact.Status}{(artifact.Error != null ? " (" + artifact.Error + ")" : "")}.", null));
                return;
            }
            if (files == null || string.IsNullOrEmpty(artifact.StoredPath))
            {
                emit(Result(artifact, "Artifact.Present", VerificationStatus.Skipped, "Not checked: the manifest has no backup folder or no stored path for this file.", null));
                return;
            }
            string path = files.Display(artifact.StoredPath);
            long? found = files.SizeOf(artifact.StoredPath);
            if (found == null)
            {
                emit(Result(artifact, "Artifact.Present", VerificationStatus.Failed, $"The recorded {artifact.Kind} is missing.", path));
                FailEntries(entries, "its archive is missing", emit, path);
                return;
            }
            long size = found.Value;
            if (recorded && size != artifact.Size)
            {
                emit(Result(artifact, "Artifact.Size", VerificationStatus.Failed, $"The file is {size} bytes, the manifest recorded {artifact.Size} (truncated or replaced).", path));
                if (entries == null)
                {
                    return;
                }
            }
            if (options.SkipArtifactHashes && entries == null)
            {
                if (!recorded || size == artifact.Size)
                {
                    emit(Result(artifact, "Artifact.Size", VerificationStatus.Passed, $"{size} bytes as recorded (SHA-256 not checked).", path));
                }
                return;
            }
            string hash;
            bool archiveDamaged = false;
            Decryption decryption = null;
            try
            {
                hash = entries != null ? HashArchive(files, path, size, artifact, entries, options, emit, buffer, stores, out archiveDamaged, keys)
                    : keys != null ? HashAndDecrypt(files, artifact, path, size, buffer, keys, options, out decryption)
                    : HashFile(files, artifact.StoredPath, path, size, buffer, options);
            }
            catch (IOException e)
            {
                emit(Result(artifact, "Artifact.Sha256", VerificationStatus.Failed, "The file cannot be read: " + e.Message, path));
                return;
            }
            catch (UnauthorizedAccessException e)
            {
                emit(Result(artifact, "Artifact.Sha256", VerificationStatus.Failed, "The file cannot be read: " + e.Message, path));
                return;
            }
            catch (DoltBackup.Storage.StorageException e)
            {
                emit(Result(artifact, "Artifact.Sha256", VerificationStatus.Failed, "The object cannot be read: " + e.Message, path));
                return;
            }
            if (!recorded)
            {
                return;
            }
            if (string.IsNullOrEmpty(artifact.Sha256) && entries != null)
            {
                if (size == artifact.Size && !archiveDamaged)
                {
                    emit(Result(artifact, "Artifact.Size", VerificationStatus.Passed, $"{size} bytes as recorded; the archive reads to its end and its files were checked one by one (no SHA-256 of the archive itself was recorded).", path));
                }
            }
            else if (string.IsNullOrEmpty(artifact.Sha256))
            {
                emit(Result(artifact, "Artifact.Sha256", VerificationStatus.Skipped, "The manifest records no SHA-256 for this file.", path));
            }
            else if (!string.Equals(hash, artifact.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                emit(Result(artifact, "Artifact.Sha256", VerificationStatus.Failed, $"SHA-256 is {hash}, the manifest recorded {artifact.Sha256} (the file changed or is damaged).", path));
            }
            else if (size == artifact.Size)
            {
                emit(Result(artifact, "Artifact.Sha256", VerificationStatus.Passed, $"{size} bytes, SHA-256 as recorded.", path));
                if (decryption != null)
                {
                    VerifyDecrypted(artifact, decryption, path, emit);
                }
            }
        }

        /// <summary>
        /// An encrypted archive stored in parts (<see cref="ArchiveParts"/>): the parts recorded in order, each present
        /// with its recorded size and no stray part after the last; without a key each part's SHA-256 (a result per part),
        /// with the key the parts decrypted in one pass in order, each checked as it ends, and the archive's files (and
        /// stores) checked across the part boundaries.
        /// </summary>
        private static void VerifyParts(SetFileSource files, BackupArtifact archive, List<BackupArtifact> entries, VerificationOptions options,
            Action<VerificationResult> emit, byte[] buffer, ArchiveStoreScanner stores, Encryption.EncryptionKeys keys)
        {
            if (archive.Status != ItemStatus.Completed || files == null)
            {
                VerifyFile(files, archive, null, options, emit, buffer, null, null);
                return;
            }
            string record = ArchiveParts.RecordProblem(archive);
            if (record != null)
            {
                emit(Result(archive, "Artifact.Parts", VerificationStatus.Failed, record, files.Display(archive.StoredPath)));
                FailEntries(entries, "the archive's parts are not recorded in order", emit, files.Display(archive.StoredPath));
                return;
            }
            bool sound = true;
            foreach (var p in archive.Parts)
            {
                long? size = files.SizeOf(p.StoredPath);
                if (size == null || size.Value != p.Size)
                {
                    emit(new VerificationResult(p.StoredPath, size == null ? "Artifact.Present" : "Artifact.Size", VerificationStatus.Failed,
                        size == null ? $"{Capitalized(ArchiveParts.Describe(archive, p))} of the archive '{archive.StoredPath}' is missing."
                            : $"{Capitalized(ArchiveParts.Describe(archive, p))} of the archive '{archive.StoredPath}' is {size} bytes, the manifest recorded {p.Size} (truncated, replaced or from another set).",
                        VerificationLevel.Artifact, files.Display(p.StoredPath)));
                    sound = false;
                }
            }
            string extra = ArchiveParts.ExtraPart(archive, files.SizeOf);
            if (extra != null)
            {
                string next = ArchiveParts.PartName(archive.StoredPath, archive.Parts.Count + 1);
                emit(new VerificationResult(next, "Artifact.Parts", VerificationStatus.Failed, extra, VerificationLevel.Artifact, files.Display(next)));
                sound = false;
            }
            if (!sound)
            {
                FailEntries(entries, "a part of its archive is missing, truncated or extra", emit, files.Display(archive.StoredPath));
                return;
            }
            if (entries == null || keys == null)
            {
                // Without the key (or nothing inside to check): every stored byte, part by part.
                foreach (var part in ArchiveParts.StoredFiles(archive))
                {
                    VerifyFile(files, part, null, options, emit, buffer, null, keys);
                }
                return;
            }
            bool damaged;
            try
            {
                HashArchive(files, files.Display(archive.StoredPath), archive.PlaintextSize ?? 0, archive, entries, options, emit, buffer, stores, out damaged, keys);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is DoltBackup.Storage.StorageException)
            {
                emit(Result(archive, "Artifact.Sha256", VerificationStatus.Failed, "A part cannot be read: " + e.Message, files.Display(archive.StoredPath)));
                return;
            }
            if (!damaged)
            {
                emit(Result(archive, "Artifact.Parts", VerificationStatus.Passed,
                    $"{archive.Parts.Count} parts, {archive.Size} bytes: each part's size and SHA-256 as recorded, each decrypted and authenticated with its plaintext as recorded.", files.Display(archive.StoredPath)));
            }
        }

        private static string Capitalized(string s) => char.ToUpperInvariant(s[0]) + s.Substring(1);

        /// <summary>What decrypting an encrypted file in the pass that hashed its stored bytes found.</summary>
        private sealed class Decryption
        {
            public string Failure;
            public long PlaintextLength;
        }

        /// <summary>
        /// An encrypted file, read once: the stored bytes hashed (returned) as they are decrypted. The plaintext is not
        /// hashed: when the stored bytes' SHA-256 is the recorded one, the authentication tag proves they decrypt to
        /// the plaintext whose SHA-256 was recorded.
        /// </summary>
        private static string HashAndDecrypt(SetFileSource files, BackupArtifact artifact, string path, long size, byte[] buffer, Encryption.EncryptionKeys keys,
            VerificationOptions options, out Decryption decryption)
        {
            decryption = new Decryption();
            using (var file = files.Open(artifact.StoredPath, options.CancellationToken))
            using (var raw = new HashingStream(file, leaveOpen: true))
            {
                try
                {
                    // In a stream: a tree file may be large.
                    using (var plain = Encryption.SetEncryption.OpenDecryptingLarge(raw, keys, artifact.StoredPath, ownsInput: false, hashPlaintext: false))
                    {
                        int n;
                        while ((n = plain.Read(buffer, 0, buffer.Length)) > 0)
                        {
                            options.CancellationToken.ThrowIfCancellationRequested();
                            if ((plain.PlaintextLength & ((64 << 20) - 1)) < n)
                            {
                                options.Report("Hashing backup files", path, raw.BytesHashed, size);
                            }
                        }
                        decryption.PlaintextLength = plain.PlaintextLength;
                    }
                }
                catch (Encryption.EncryptionException e)
                {
                    decryption.Failure = e.Message;
                }
                while (raw.Read(buffer, 0, buffer.Length) > 0)
                {
                }
                return raw.FinishHex();
            }
        }

        /// <summary>An encrypted file whose stored bytes are the recorded ones: it authenticated, to the recorded length.</summary>
        private static void VerifyDecrypted(BackupArtifact artifact, Decryption decryption, string path, Action<VerificationResult> emit)
        {
            if (decryption.Failure != null)
            {
                emit(Result(artifact, "Artifact.Decrypted", VerificationStatus.Failed, decryption.Failure, path));
            }
            else if (artifact.PlaintextSize.HasValue && decryption.PlaintextLength != artifact.PlaintextSize.Value)
            {
                emit(Result(artifact, "Artifact.Decrypted", VerificationStatus.Failed,
                    $"Decrypted to {decryption.PlaintextLength} bytes, not the recorded {artifact.PlaintextSize} (from another set, or replaced).", path));
            }
            else
            {
                emit(Result(artifact, "Artifact.Decrypted", VerificationStatus.Passed,
                    $"Decrypted and authenticated: {decryption.PlaintextLength} bytes, from stored bytes with the recorded SHA-256, so the plaintext recorded.", path));
            }
        }

        private static void FailEntries(List<BackupArtifact> entries, string why, Action<VerificationResult> emit, string path)
        {
            if (entries == null)
            {
                return;
            }
            foreach (var e in entries)
            {
                emit(Result(e, "Artifact.Present", VerificationStatus.Failed, $"Cannot be checked: {why}.", path));
            }
        }

        private static string HashFile(SetFileSource files, string storedPath, string path, long size, byte[] buffer, VerificationOptions options)
        {
            using (var hasher = new Sha256Hasher())
            using (var fs = files.Open(storedPath, options.CancellationToken))
            {
                long done = 0;
                int n;
                while ((n = fs.Read(buffer, 0, buffer.Length)) > 0)
                {
                    options.CancellationToken.ThrowIfCancellationRequested();
                    hasher.Append(buffer, 0, n);
                    done += n;
                    if ((done & ((64 << 20) - 1)) < n)
                    {
                        options.Report("Hashing backup files", path, done, size);
                    }
                }
                return hasher.FinishHex();
            }
        }

        private static string HashArchive(SetFileSource files, string path, long size, BackupArtifact archive, List<BackupArtifact> entries, VerificationOptions options,
            Action<VerificationResult> emit, byte[] buffer, ArchiveStoreScanner stores, out bool damaged, Encryption.EncryptionKeys keys)
        {
            var expected = new Dictionary<string, BackupArtifact>(StringComparer.Ordinal);
            foreach (var e in entries)
            {
                expected[e.StoredPath] = e;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            bool split = ArchiveParts.IsSplit(archive);
            using (var file = split ? Stream.Null : files.Open(archive.StoredPath, options.CancellationToken))
            using (var raw = new HashingStream(file, leaveOpen: true, hash: !split && !string.IsNullOrEmpty(archive.Sha256)))
            {
                string damage = null;
                Stream plain = raw;
                Encryption.CmsAuthEnvelopedReader plainHashed = null;
                string archiveName = archive.StoredPath;
                string storedSha = null;
                // The plaintext is hashed only when the stored bytes' SHA-256 is not recorded: when it is (always, for
                // an archive DoltBackup encrypted), equal stored bytes whose tag verifies decrypt to the very plaintext
                // whose hash was recorded, as Restore-DoltBackup relies on too; a third SHA-256 pass would prove nothing more.
                bool hashPlaintext = string.IsNullOrEmpty(archive.Sha256);
                if (split)
                {
                    // Part after part, each checked (stored bytes, tag, plaintext size) as it ends.
                    try
                    {
                        plain = ArchiveParts.OpenPlaintext(archive, name => files.Open(name, options.CancellationToken), keys);
                    }
                    catch (Encryption.EncryptionException e)
                    {
                        damage = e.Message;
                    }
                    archiveName = archiveName.Substring(0, archiveName.Length - Encryption.EncryptingBackupLocation.Suffix.Length);
                }
                else if (keys != null)
                {
                    // Decrypt in the same pass that hashes the stored bytes; the tag is checked when the stream ends.
                    try
                    {
                        plainHashed = Encryption.SetEncryption.OpenDecryptingLarge(raw, keys, archive.StoredPath, ownsInput: false, hashPlaintext: hashPlaintext);
                        plain = plainHashed;
                    }
                    catch (Encryption.EncryptionException e)
                    {
                        damage = e.Message;
                    }
                    archiveName = archiveName.Substring(0, archiveName.Length - Encryption.EncryptingBackupLocation.Suffix.Length);
                }
                Stream tarStream = damage != null ? Stream.Null : FileCopyLayout.IsGzip(archiveName) ? new GZipStream(plain, CompressionMode.Decompress, leaveOpen: true) : plain;
                try
                {
                    if (damage != null)
                    {
                        throw new InvalidDataException(damage);
                    }
                    var reader = new TarReader(tarStream);
                    using (var hasher = new Sha256Hasher())
                    {
                        TarEntry entry;
                        while ((entry = reader.Next()) != null)
                        {
                            options.CancellationToken.ThrowIfCancellationRequested();
                            if (entry.Type != TarEntryType.File)
                            {
                                stores?.Observe(entry, null);
                                continue;
                            }
                            // One read of the entry: the stores' checks take what they need, the hash sees every byte.
                            var data = new TarEntryDataStream(reader, hasher);
                            stores?.Observe(entry, data);
                            data.ReadToEnd(buffer);
                            long length = data.BytesRead;
                            string hash = hasher.FinishHex();
                            options.Report("Checking the archive", entry.Name, split ? plain.Position : raw.BytesHashed, size);
                            if (!expected.TryGetValue(entry.Name, out var a))
                            {
                                emit(new VerificationResult(archive.StoredPath + ":" + entry.Name, "Artifact.Recorded", VerificationStatus.Info, "The archive holds a file the manifest does not record.", VerificationLevel.Artifact, path));
                                continue;
                            }
                            seen.Add(entry.Name);
                            if (a.Status != ItemStatus.Completed)
                            {
                                emit(Result(a, "Artifact.Present", VerificationStatus.Skipped, $"Not checked: the backup recorded this file as {a.Status}.", path));
                            }
                            else if (length != a.Size)
                            {
                                emit(Result(a, "Artifact.Size", VerificationStatus.Failed, $"The archived file is {length} bytes, the manifest recorded {a.Size}.", path));
                            }
                            else if (!string.Equals(hash, a.Sha256, StringComparison.OrdinalIgnoreCase))
                            {
                                emit(Result(a, "Artifact.Sha256", VerificationStatus.Failed, $"SHA-256 is {hash}, the manifest recorded {a.Sha256} (damaged).", path));
                            }
                            else
                            {
                                emit(Result(a, "Artifact.Sha256", VerificationStatus.Passed, $"{length} bytes, SHA-256 as recorded.", path));
                            }
                        }
                    }
                    // Read to the end: the gzip trailer's CRC is checked, and the archive hash covers every byte.
                    while (tarStream.Read(buffer, 0, buffer.Length) > 0)
                    {
                    }
                    while (plain.Read(buffer, 0, buffer.Length) > 0)
                    {
                    }
                    if (plainHashed != null)
                    {
                        if (archive.PlaintextSize.HasValue && plainHashed.PlaintextLength != archive.PlaintextSize.Value)
                        {
                            throw new InvalidDataException($"it decrypted to {plainHashed.PlaintextLength} bytes, not the manifest's {archive.PlaintextSize} (it belongs to another set or was replaced)");
                        }
                        if (hashPlaintext)
                        {
                            string plainSha = plainHashed.PlaintextSha256;
                            if (!string.Equals(plainSha, archive.PlaintextSha256, StringComparison.OrdinalIgnoreCase))
                            {
                                throw new InvalidDataException($"it decrypted to an archive with SHA-256 {plainSha}, not the manifest's {archive.PlaintextSha256 ?? "(none)"} (it belongs to another set or was replaced)");
                            }
                            emit(Result(archive, "Artifact.Decrypted", VerificationStatus.Passed, $"Decrypted and authenticated: {plainHashed.PlaintextLength} bytes, plaintext SHA-256 as recorded.", path));
                        }
                        else
                        {
                            while (raw.Read(buffer, 0, buffer.Length) > 0)
                            {
                            }
                            storedSha = raw.FinishHex();
                            if (string.Equals(storedSha, archive.Sha256, StringComparison.OrdinalIgnoreCase))
                            {
                                emit(Result(archive, "Artifact.Decrypted", VerificationStatus.Passed,
                                    $"Decrypted and authenticated: {plainHashed.PlaintextLength} bytes, from stored bytes with the recorded SHA-256, so the archive as it was written.", path));
                            }
                        }
                    }
                    // The stores are judged only now: an encrypted archive's bytes count once its tag has been checked.
                    stores?.Complete();
                }
                catch (InvalidDataException e)
                {
                    damage = split ? ArchiveParts.ExplainDamage(plain, e.Message) : e.Message;
                    if (stores != null)
                    {
                        stores.Damage = e.Message;
                    }
                }
                catch (Encryption.EncryptionException e)
                {
                    damage = e.Message;
                    if (stores != null)
                    {
                        stores.Damage = e.Message;
                    }
                }
                finally
                {
                    if (!ReferenceEquals(tarStream, raw) && !ReferenceEquals(tarStream, plain))
                    {
                        tarStream.Dispose();
                    }
                    plainHashed?.Dispose();
                    if (split)
                    {
                        plain.Dispose();
                    }
                }
                foreach (var e in entries.Where(e => !seen.Contains(e.StoredPath) && e.Status == ItemStatus.Completed))
                {
                    emit(Result(e, "Artifact.Present", VerificationStatus.Failed, damage == null ? "The recorded file is not in the archive." : "Not readable from the archive: " + damage, path));
                }
                damaged = damage != null;
                if (damage != null)
                {
                    emit(Result(archive, "Archive.Readable", VerificationStatus.Failed, "The archive is damaged: " + damage, path));
                }
                if (storedSha != null)
                {
                    return storedSha;
                }
                while (raw.Read(buffer, 0, buffer.Length) > 0)
                {
                }
                return raw.FinishHex();
            }
        }
    }
}
