using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DoltBackup.Storage.Sets
{
    /// <summary>
    /// What a publish of a local set uploaded, kept beside the set as <see cref="FileName"/> (never uploaded itself):
    /// per destination (location and set key) and file, the local size and modification time, the SHA-256 sent, and
    /// the stored object's size and identity (its MD5 or entity tag). Lets an unchanged re-publish skip files without
    /// reading them; any doubt (no record, a corrupt one, another size or time, another remote object) falls back to
    /// reading the file.
    /// </summary>
    internal sealed class PublishRecord
    {
        /// <summary>The record's file name in the local set folder.</summary>
        public const string FileName = ".doltbackup-published.json";

        public Dictionary<string, Dictionary<string, Entry>> Destinations { get; set; } = new Dictionary<string, Dictionary<string, Entry>>(StringComparer.Ordinal);

        public static string DestinationOf(IBackupLocation location, string setKey) => location.Kind + "|" + location.DisplayName + "|" + setKey;

        public static PublishRecord Load(string folder)
        {
            try
            {
                string path = Path.Combine(folder, FileName);
                var record = File.Exists(path) ? JsonSerializer.Deserialize<PublishRecord>(File.ReadAllText(path)) : null;
                if (record?.Destinations != null)
                {
                    return record;
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is JsonException || e is NotSupportedException)
            {
                // A record that cannot be read only costs reading the files again.
            }
            return new PublishRecord();
        }

        /// <summary>Writes the record (best effort: a read-only set folder only loses the shortcut).</summary>
        public void Save(string folder)
        {
            string path = Path.Combine(folder, FileName);
            try
            {
                string temp = path + ".tmp";
                File.WriteAllText(temp, JsonSerializer.Serialize(this));
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
                File.Move(temp, path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
        }

        /// <summary>One uploaded (or found unchanged) file.</summary>
        public sealed class Entry
        {
            public long Size { get; set; }

            public long ModifiedTicks { get; set; }

            public string Sha256 { get; set; }

            public long RemoteSize { get; set; }

            public string RemoteId { get; set; }
        }
    }

    /// <summary>
    /// Decides whether a local file of a set must be uploaded, with one remote listing and without reading the file
    /// when it can: the remote object must exist with the file's size; then the file is unchanged when the
    /// <see cref="PublishRecord"/> holds it with the same size and modification time and the remote object is the one
    /// recorded (same size and MD5/entity tag), or when it is an immutable Dolt table file or archive (named by the hash
    /// of its content: name and size identify it). Otherwise the file is read and its MD5 compared with the service's.
    /// </summary>
    internal sealed class UploadSkipDecision
    {
        // Dolt names table files by the base32 (0-9, a-v) hash of their content, archives likewise with ".darc". The
        // chunk journal (all 'v') is appended to in place, so it is not immutable.
        private static readonly Regex DoltTableFile = new Regex("^[0-9a-v]{32}(\\.darc)?$", RegexOptions.CultureInvariant);
        private const string JournalName = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv";

        private readonly IReadOnlyDictionary<string, StoredObject> _remote;
        private readonly Dictionary<string, PublishRecord.Entry> _recorded;
        private readonly Func<string, string> _md5Of;

        public UploadSkipDecision(IReadOnlyDictionary<string, StoredObject> remote, Dictionary<string, PublishRecord.Entry> recorded, Func<string, string> md5Of = null)
        {
            _remote = remote;
            _recorded = recorded;
            _md5Of = md5Of ?? Md5Of;
        }

        /// <summary>Local files read to decide (tests: an unchanged re-publish reads none).</summary>
        public int FilesRead { get; private set; }

        /// <summary>The identity of a stored object's content as the service reports it, or null when it gives none.</summary>
        public static string RemoteIdOf(StoredObject o) => o.ServiceMd5 != null ? "md5:" + o.ServiceMd5 : o.ETag != null ? "etag:" + o.ETag : null;

        /// <summary>True when the object <paramref name="key"/> already holds <paramref name="file"/>; records it then.</summary>
        public bool IsUnchanged(string file, string relative, string key)
        {
            var info = new FileInfo(file);
            if (!_remote.TryGetValue(key, out var stored) || stored.Size != info.Length)
            {
                return false;
            }
            string remoteId = RemoteIdOf(stored);
            if (_recorded.TryGetValue(relative, out var entry) && entry.Size == info.Length && entry.ModifiedTicks == info.LastWriteTimeUtc.Ticks
                && entry.RemoteSize == stored.Size && remoteId != null && entry.RemoteId == remoteId)
            {
                return true;
            }
            string name = Path.GetFileName(file);
            bool unchanged = (DoltTableFile.IsMatch(name) && name != JournalName)
                || (stored.ServiceMd5 != null && ReadMd5(file) == stored.ServiceMd5);
            if (unchanged)
            {
                _recorded[relative] = new PublishRecord.Entry { Size = info.Length, ModifiedTicks = info.LastWriteTimeUtc.Ticks, Sha256 = entry?.Sha256, RemoteSize = stored.Size, RemoteId = remoteId };
            }
            return unchanged;
        }

        /// <summary>Records a file just uploaded as <paramref name="stored"/> (its size and time as read before the upload).</summary>
        public void Uploaded(string relative, long size, DateTime modifiedUtc, StoredObject stored)
        {
            _recorded[relative] = new PublishRecord.Entry { Size = size, ModifiedTicks = modifiedUtc.Ticks, Sha256 = stored.Sha256, RemoteSize = stored.Size, RemoteId = RemoteIdOf(stored) };
        }

        /// <summary>Forgets files that are no longer in the set.</summary>
        public void KeepOnly(IEnumerable<string> relatives)
        {
            var keep = new HashSet<string>(relatives, StringComparer.Ordinal);
            foreach (var gone in _recorded.Keys.Where(k => !keep.Contains(k)).ToList())
            {
                _recorded.Remove(gone);
            }
        }

        private string ReadMd5(string file)
        {
            FilesRead++;
            return _md5Of(file);
        }

        private static string Md5Of(string file)
        {
            using (var md5 = MD5.Create())
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920))
            {
                return DigestingReadStream.Hex(md5.ComputeHash(stream));
            }
        }
    }
}
