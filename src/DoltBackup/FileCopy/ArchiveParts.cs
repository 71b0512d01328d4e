using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using DoltBackup.Encryption;
using DoltBackup.Manifest;

namespace DoltBackup.FileCopy
{
    /// <summary>
    /// An encrypted FileCopy archive larger than one segment (issue 13): one AES-GCM message holds at most 64 GiB, so the
    /// archive is written as several standalone CMS files, <c>&lt;archive&gt;.part0001.p7m</c>, <c>.part0002.p7m</c>...,
    /// each with its own content key and nonce; their plaintexts concatenated in order are the archive
    /// (<see cref="BackupArtifact.Parts"/>). An archive of one segment keeps its single name (datadir.tar.gz.p7m).
    /// This is the one place that names, writes, checks and reads the parts.
    /// </summary>
    public static class ArchiveParts
    {
        /// <summary>The default plaintext bytes per part: half of what one AES-GCM message can hold.</summary>
        public const long DefaultSegmentBytes = 32L << 30;

        /// <summary>Part numbers have four digits, so the parts sort in order by name (a shell glob gives them in order).</summary>
        public const int MaxParts = 9999;

        /// <summary>
        /// The stored name of part <paramref name="index"/> (from 1) of the encrypted archive <paramref name="encryptedName"/>
        /// (datadir.tar.gz.p7m gives datadir.tar.gz.part0001.p7m).
        /// </summary>
        public static string PartName(string encryptedName, int index)
            => PartStem(encryptedName) + index.ToString("D4", CultureInfo.InvariantCulture) + EncryptingBackupLocation.Suffix;

        /// <summary>True when <paramref name="storedName"/> is named as a part (any number) of the encrypted archive <paramref name="encryptedName"/>.</summary>
        public static bool IsPartName(string encryptedName, string storedName)
            => storedName.StartsWith(PartStem(encryptedName), StringComparison.Ordinal) && storedName.EndsWith(EncryptingBackupLocation.Suffix, StringComparison.Ordinal);

        /// <summary>What every part's name starts with (datadir.tar.gz.p7m gives datadir.tar.gz.part).</summary>
        private static string PartStem(string encryptedName)
        {
            string suffix = EncryptingBackupLocation.Suffix;
            string plain = encryptedName.EndsWith(suffix, StringComparison.Ordinal) ? encryptedName.Substring(0, encryptedName.Length - suffix.Length) : encryptedName;
            return plain + ".part";
        }

        /// <summary>True when the archive is stored in parts.</summary>
        public static bool IsSplit(BackupArtifact archive) => archive?.Parts != null;

        /// <summary>
        /// What is wrong with the recorded parts themselves (not their files): numbered 1..N in order, each named as its
        /// place requires, with a ciphertext size and SHA-256 and a plaintext size (and a well-formed plaintext SHA-256,
        /// when one is recorded). Null when they are sound.
        /// </summary>
        public static string RecordProblem(BackupArtifact archive)
        {
            var parts = archive.Parts;
            if (parts.Count == 0)
            {
                return $"The archive '{archive.StoredPath}' is recorded in parts but lists none.";
            }
            if (!archive.Encrypted)
            {
                return $"The archive '{archive.StoredPath}' is recorded in parts but not as encrypted.";
            }
            for (int i = 0; i < parts.Count; i++)
            {
                var p = parts[i];
                string expected = PartName(archive.StoredPath, i + 1);
                if (p == null || p.Index != i + 1 || !string.Equals(p.StoredPath, expected, StringComparison.Ordinal))
                {
                    return $"Part {i + 1} of {parts.Count} of the archive '{archive.StoredPath}' is recorded as '{p?.StoredPath}' (index {p?.Index}), not '{expected}': the parts are out of order.";
                }
                // The plaintext SHA-256 is recorded only with HashArchive (older sets always have it): absent is fine.
                if (!IsSha256(p.Sha256) || (p.PlaintextSha256 != null && !IsSha256(p.PlaintextSha256)) || p.Size <= 0 || p.PlaintextSize <= 0)
                {
                    return $"Part {i + 1} of {parts.Count} ('{p.StoredPath}') has no valid size and SHA-256 in the manifest: it cannot be verified.";
                }
            }
            return null;
        }

        /// <summary>
        /// A stored part beyond the recorded ones (the next number exists: a part of a longer archive, left over or
        /// added), or null. <paramref name="sizeOf"/> gives a stored file's size, or null when there is none.
        /// </summary>
        public static string ExtraPart(BackupArtifact archive, Func<string, long?> sizeOf)
        {
            string next = PartName(archive.StoredPath, archive.Parts.Count + 1);
            return sizeOf(next) == null ? null
                : $"The archive '{archive.StoredPath}' has {archive.Parts.Count} recorded parts, but a part '{next}' is stored too: it belongs to another (longer) archive. Remove it, or use the set it belongs to.";
        }

        /// <summary>
        /// The stored files of an artifact: its parts (each as an artifact with its stored path, size and SHA-256) when it
        /// is an archive in parts, else the artifact itself.
        /// </summary>
        public static IEnumerable<BackupArtifact> StoredFiles(BackupArtifact artifact)
            => !IsSplit(artifact) ? new[] { artifact }
                : artifact.Parts.Where(p => p != null).Select(p => new BackupArtifact
                {
                    Kind = artifact.Kind, StoredPath = p.StoredPath, Size = p.Size, Sha256 = p.Sha256, Encrypted = true,
                    PlaintextSize = p.PlaintextSize, PlaintextSha256 = p.PlaintextSha256, Secret = artifact.Secret, Mode = artifact.Mode, Status = artifact.Status,
                });

        /// <summary>Describes part <paramref name="p"/> for a message.</summary>
        internal static string Describe(BackupArtifact archive, ArchivePart p) => $"part {p.Index} of {archive.Parts.Count} ('{p.StoredPath}')";

        private static bool IsSha256(string sha) => sha != null && sha.Length == 64 && sha.All(Uri.IsHexDigit);

        /// <summary>
        /// Opens the plaintext of an archive stored in parts, part after part, each read through to its end: its stored
        /// bytes checked against the recorded size and SHA-256 (so a missing, truncated, swapped or reordered part is
        /// refused, naming it), its authentication tag checked, and its plaintext against the recorded size. The plaintext
        /// is not hashed again: stored bytes with the recorded SHA-256 whose tag verifies decrypt to the very plaintext
        /// whose SHA-256 was recorded. A failure is an <see cref="EncryptionException"/> naming the part.
        /// <paramref name="open"/> opens a stored file by its stored path.
        /// </summary>
        internal static Stream OpenPlaintext(BackupArtifact archive, Func<string, Stream> open, EncryptionKeys keys)
            => new PartsReader(archive, open, keys);

        /// <summary>
        /// Where a damage met while reading the plaintext of an archive in parts lies: the part being read is read to its
        /// end and checked, so a part that is not the recorded one (swapped, from another set) is named as the cause;
        /// else the damage is placed in that part. Other streams: <paramref name="damage"/> as it is.
        /// </summary>
        internal static string ExplainDamage(Stream plaintext, string damage) => plaintext is PartsReader parts ? parts.Explain(damage) : damage;

        private sealed class PartsReader : Common.ForwardReadStream
        {
            private readonly BackupArtifact _archive;
            private readonly Func<string, Stream> _open;
            private readonly EncryptionKeys _keys;
            private int _next;
            private ArchivePart _part;
            private Stream _file;
            private HashingStream _raw;
            private CmsAuthEnvelopedReader _plain;
            private long _position;

            public PartsReader(BackupArtifact archive, Func<string, Stream> open, EncryptionKeys keys)
            {
                _archive = archive;
                _open = open;
                _keys = keys;
                string problem = RecordProblem(archive);
                if (problem != null)
                {
                    throw new EncryptionException(problem);
                }
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                while (true)
                {
                    if (_plain == null)
                    {
                        if (_next >= _archive.Parts.Count)
                        {
                            return 0;
                        }
                        OpenNext();
                    }
                    int n;
                    try
                    {
                        n = _plain.Read(buffer, offset, count);
                    }
                    catch (EncryptionException e)
                    {
                        throw Fail(e.Message);
                    }
                    if (n > 0)
                    {
                        _position += n;
                        return n;
                    }
                    FinishPart();
                }
            }

            public string Explain(string damage)
            {
                if (_plain == null || _part == null)
                {
                    return damage;
                }
                var part = _part;
                var buffer = new byte[1 << 16];
                try
                {
                    try
                    {
                        while (_plain.Read(buffer, 0, buffer.Length) > 0)
                        {
                        }
                    }
                    catch (EncryptionException e)
                    {
                        throw Fail(e.Message);
                    }
                    FinishPart();
                }
                catch (EncryptionException e)
                {
                    return e.Message;
                }
                catch (Exception e) when (e is IOException || e is Storage.StorageException)
                {
                    return $"{damage} (in {Describe(_archive, part)}, which cannot be read to its end: {e.Message})";
                }
                return $"{damage} (in {Describe(_archive, part)}, whose stored bytes are the recorded ones)";
            }

            private void OpenNext()
            {
                _part = _archive.Parts[_next++];
                try
                {
                    _file = _open(_part.StoredPath);
                }
                catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException || (e is Storage.StorageException s && s.ErrorId == "StorageObjectNotFound"))
                {
                    throw Fail("it is missing");
                }
                _raw = new HashingStream(_file, leaveOpen: true);
                try
                {
                    _plain = SetEncryption.OpenDecryptingLarge(_raw, _keys, _part.StoredPath, ownsInput: false, hashPlaintext: false);
                }
                catch (EncryptionException e)
                {
                    throw Fail(e.Message);
                }
            }

            private void FinishPart()
            {
                var buffer = new byte[1 << 16];
                while (_raw.Read(buffer, 0, buffer.Length) > 0)
                {
                }
                string sha = _raw.FinishHex();
                if (_raw.BytesHashed != _part.Size || !string.Equals(sha, _part.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw Fail($"it is {_raw.BytesHashed} bytes with SHA-256 {sha}; the manifest recorded {_part.Size} bytes with {_part.Sha256} (truncated, damaged, or a part of another set or another place)");
                }
                if (!_plain.Verified)
                {
                    throw Fail("it was not authenticated");
                }
                if (_plain.PlaintextLength != _part.PlaintextSize)
                {
                    throw Fail($"it decrypted to {_plain.PlaintextLength} bytes, not the recorded {_part.PlaintextSize} (a part of another set or another place)");
                }
                ClosePart();
            }

            private EncryptionException Fail(string why)
            {
                var e = new EncryptionException($"The archive '{_archive.StoredPath}' is refused at {Describe(_archive, _part)}: {why}.");
                ClosePart();
                _next = _archive.Parts.Count;
                return e;
            }

            private void ClosePart()
            {
                _plain?.Dispose();
                _raw?.Dispose();
                _file?.Dispose();
                _plain = null;
                _raw = null;
                _file = null;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    ClosePart();
                }
                base.Dispose(disposing);
            }

            public override long Position { get => _position; set => throw new NotSupportedException(); }
        }

        /// <summary>Where the parts of an archive being written go: a file each, or an object each.</summary>
        internal interface IPartTarget
        {
            /// <summary>Starts part <paramref name="storedName"/> (relative to the set) and returns where its ciphertext goes.</summary>
            Stream Open(string storedName);

            /// <summary>The part's ciphertext is all written: make it durable; returns what the store recorded (null: use the encryptor's hashes).</summary>
            Storage.StoredObject Complete(string storedName, Stream output);

            /// <summary>Gives up the part being written (after a failure).</summary>
            void Abandon(string storedName, Stream output);
        }

        /// <summary>
        /// Writes an archive's plaintext as encrypted parts of <paramref name="segmentBytes"/> plaintext bytes each (the
        /// last one shorter); <see cref="PartsWriter.Complete"/> returns the parts. A part is started only by its first
        /// byte, so there is never an empty last part.
        /// </summary>
        /// <param name="encryptedName">The archive's stored name (datadir.tar.gz.p7m); its parts are named from it (<see cref="PartName"/>).</param>
        /// <param name="segmentBytes">Plaintext bytes per part.</param>
        /// <param name="keys">The recipients each part is encrypted to.</param>
        /// <param name="target">Where each part's ciphertext goes (a file or an object).</param>
        /// <param name="hashPlaintext">
        /// Also hash the plaintext: each part's and the whole archive's SHA-256 (<see cref="FileCopyOptions.HashArchive"/>);
        /// without it only the sizes are recorded on the plaintext side (each part's ciphertext is always hashed).
        /// </param>
        internal static PartsWriter StartWriting(string encryptedName, long segmentBytes, EncryptionKeys keys, IPartTarget target, bool hashPlaintext)
            => new PartsWriter(encryptedName, segmentBytes, keys, target, hashPlaintext);

        internal sealed class PartsWriter : Stream
        {
            private readonly string _name;
            private readonly long _segmentBytes;
            private readonly EncryptionKeys _keys;
            private readonly IPartTarget _target;
            private readonly Sha256Hasher _whole;
            private readonly List<ArchivePart> _parts = new List<ArchivePart>();
            private SetEncryption.ArchiveEncryptor _encryptor;
            private Stream _output;
            private string _current;
            private long _inPart;
            private long _total;

            public PartsWriter(string encryptedName, long segmentBytes, EncryptionKeys keys, IPartTarget target, bool hashPlaintext)
            {
                if (segmentBytes <= 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(segmentBytes));
                }
                _name = encryptedName;
                _segmentBytes = segmentBytes;
                _keys = keys;
                _target = target;
                _whole = hashPlaintext ? new Sha256Hasher() : null;
            }

            /// <summary>The parts finished so far.</summary>
            public IReadOnlyList<ArchivePart> Parts => _parts;

            public override void Write(byte[] buffer, int offset, int count)
            {
                while (count > 0)
                {
                    if (_encryptor == null)
                    {
                        StartPart();
                    }
                    int n = (int)Math.Min(count, _segmentBytes - _inPart);
                    _whole?.Append(buffer, offset, n);
                    _encryptor.Plaintext.Write(buffer, offset, n);
                    _inPart += n;
                    _total += n;
                    offset += n;
                    count -= n;
                    if (_inPart == _segmentBytes)
                    {
                        FinishPart();
                    }
                }
            }

            private void StartPart()
            {
                int index = _parts.Count + 1;
                if (index > MaxParts)
                {
                    throw new IOException($"The encrypted archive '{_name}' would need more than {MaxParts} parts of {_segmentBytes} bytes.");
                }
                _current = PartName(_name, index);
                _output = _target.Open(_current);
                try
                {
                    // Writes the CMS header at once: a full disk or a failed upload throws here, and the part is given up.
                    _encryptor = SetEncryption.StartArchive(_output, _keys, hashPlaintext: _whole != null);
                }
                catch
                {
                    _target.Abandon(_current, _output);
                    _output = null;
                    _current = null;
                    throw;
                }
                _inPart = 0;
            }

            private void FinishPart()
            {
                _encryptor.Finish();
                var stored = _target.Complete(_current, _output);
                _parts.Add(new ArchivePart
                {
                    Index = _parts.Count + 1,
                    StoredPath = _current,
                    Size = stored?.Size ?? _encryptor.CiphertextSize,
                    Sha256 = stored?.Sha256 ?? _encryptor.CiphertextSha256,
                    PlaintextSize = _encryptor.PlaintextSize,
                    PlaintextSha256 = _encryptor.PlaintextSha256,
                });
                _encryptor.Dispose();
                _encryptor = null;
                _output = null;
                _current = null;
            }

            /// <summary>Ends the last part; returns the parts and the whole plaintext's size and SHA-256 (null unless hashed).</summary>
            public (List<ArchivePart> Parts, long PlaintextSize, string PlaintextSha256) Complete()
            {
                if (_encryptor != null)
                {
                    FinishPart();
                }
                return (_parts.ToList(), _total, _whole?.FinishHex());
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    if (_encryptor != null)
                    {
                        _encryptor.Dispose(); // abandons the unfinished part
                        _target.Abandon(_current, _output);
                        _encryptor = null;
                    }
                    _whole?.Dispose();
                }
                base.Dispose(disposing);
            }

            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => _total; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
