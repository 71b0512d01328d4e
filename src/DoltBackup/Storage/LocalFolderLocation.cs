using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;

namespace DoltBackup.Storage
{
    /// <summary>
    /// A backup location that is a folder (local disk or a mounted share): today's behaviour behind the seam. Keys map
    /// to files below the folder; a Put writes a temporary file beside the target and renames it over, so a cut
    /// write never replaces an object; a lock is an OS lock on the lock file (as <see cref="Locking.BackupSetLock"/>:
    /// gone with its process, so there is never a stale one).
    /// </summary>
    public sealed class LocalFolderLocation : IBackupLocation
    {
        private const string TempSuffix = ".doltbackup-upload";

        /// <summary>The location at <paramref name="folder"/> (need not exist yet).</summary>
        public LocalFolderLocation(string folder)
        {
            Folder = Path.GetFullPath(folder);
        }

        /// <summary>The folder.</summary>
        public string Folder { get; }

        /// <inheritdoc />
        public string DisplayName => Folder;

        /// <inheritdoc />
        public StorageKind Kind => StorageKind.Local;

        /// <summary>The file of a key.</summary>
        public string PathOf(string key) => Path.Combine(Folder, ObjectKey.Check(key).Replace('/', Path.DirectorySeparatorChar));

        /// <inheritdoc />
        public StoredObject Put(string key, Stream content, CancellationToken cancellationToken)
        {
            string target = PathOf(key);
            string temp = target + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + TempSuffix;
            return Guard(key, () =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target));
                try
                {
                    string sha;
                    string md5;
                    using (var digest = new DigestingReadStream(content))
                    {
                        using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920))
                        {
                            var buffer = new byte[81920];
                            int n;
                            while ((n = digest.Read(buffer, 0, buffer.Length)) > 0)
                            {
                                cancellationToken.ThrowIfCancellationRequested();
                                file.Write(buffer, 0, n);
                            }
                            file.Flush(true);
                        }
                        sha = digest.Sha256Hex;
                        md5 = digest.Md5Hex;
                    }
                    Common.AtomicFile.Replace(temp, target);
                    var stored = ToStored(key, new FileInfo(target));
                    stored.Sha256 = sha;
                    stored.ServiceMd5 = md5;
                    return stored;
                }
                finally
                {
                    if (File.Exists(temp))
                    {
                        File.Delete(temp);
                    }
                }
            });
        }

        /// <inheritdoc />
        public Stream OpenRead(string key, CancellationToken cancellationToken)
        {
            string path = PathOf(key);
            return Guard(key, () =>
            {
                if (!File.Exists(path))
                {
                    throw StorageException.NotFound(DisplayName, key);
                }
                return (Stream)new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920);
            });
        }

        /// <inheritdoc />
        public StoredObject Stat(string key, CancellationToken cancellationToken)
        {
            string path = PathOf(key);
            return Guard(key, () => File.Exists(path) ? ToStored(key, new FileInfo(path)) : null);
        }

        /// <inheritdoc />
        public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken)
        {
            prefix = ObjectKey.Check(prefix ?? "", allowEmpty: true);
            return Guard(prefix, () =>
            {
                if (!Directory.Exists(Folder))
                {
                    return (IReadOnlyList<StoredObject>)new List<StoredObject>();
                }
                // Walk only below the deepest folder the prefix names.
                int lastSlash = prefix.LastIndexOf('/');
                string start = lastSlash < 0 ? Folder : Path.Combine(Folder, prefix.Substring(0, lastSlash).Replace('/', Path.DirectorySeparatorChar));
                if (!Directory.Exists(start))
                {
                    return new List<StoredObject>();
                }
                return Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories)
                    .Where(f => !f.EndsWith(TempSuffix, StringComparison.Ordinal))
                    .Select(f => new { File = f, Key = f.Substring(Folder.Length).TrimStart(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Replace(Path.DirectorySeparatorChar, '/') })
                    .Where(x => x.Key.StartsWith(prefix, StringComparison.Ordinal))
                    .OrderBy(x => x.Key, StringComparer.Ordinal)
                    .Select(x => ToStored(x.Key, new FileInfo(x.File)))
                    .ToList();
            });
        }

        /// <inheritdoc />
        public void Delete(string key, CancellationToken cancellationToken)
        {
            string path = PathOf(key);
            Guard(key, () =>
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
                return 0;
            });
        }

        /// <inheritdoc />
        public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken)
        {
            string path = PathOf(key);
            return Guard(key, () =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path));
                try
                {
                    var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                    return (IStorageLock)new FileLock(key, stream);
                }
                catch (IOException)
                {
                    return null;
                }
            });
        }

        /// <inheritdoc />
        public void Dispose()
        {
        }

        private static StoredObject ToStored(string key, FileInfo info) => new StoredObject { Key = key, Size = info.Length, LastModifiedUtc = info.LastWriteTimeUtc };

        private T Guard<T>(string key, Func<T> action)
        {
            try
            {
                return action();
            }
            catch (UnauthorizedAccessException e)
            {
                throw new StorageException("StorageAccessDenied", ErrorCategory.PermissionDenied, StorageException.Join(DisplayName, key),
                    $"Access to '{StorageException.Join(DisplayName, key)}' was denied: {e.Message}", "Run as a user that may read and write the backup folder.", e);
            }
            catch (IOException e) when (!(e is FileNotFoundException))
            {
                throw new StorageException("StorageFailed", ErrorCategory.WriteError, StorageException.Join(DisplayName, key),
                    $"'{StorageException.Join(DisplayName, key)}' could not be accessed: {e.Message}", "Check the disk (free space, permissions, the mount) and run again.", e);
            }
        }

        private sealed class FileLock : IStorageLock
        {
            private FileStream _stream;

            public FileLock(string key, FileStream stream)
            {
                Key = key;
                _stream = stream;
            }

            public string Key { get; }

            public void Dispose()
            {
                _stream?.Dispose();
                _stream = null;
            }
        }
    }
}
