using System;
using System.IO;
using System.Linq;

namespace DoltBackup.Verification
{
    /// <summary>
    /// The scratch data directory of an offline restore test: it must not exist or be empty (nothing of the user's is
    /// ever in it); <see cref="Remove"/> deletes what the test put there, and the folder itself when the test created it.
    /// </summary>
    public sealed class ScratchDataDir
    {
        private readonly bool _created;

        private ScratchDataDir(string path, bool created)
        {
            Path = path;
            _created = created;
        }

        /// <summary>The directory (absolute).</summary>
        public string Path { get; }

        /// <summary>A new folder under the system temp directory.</summary>
        public static ScratchDataDir CreateTemporary()
        {
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "doltbackup-restoretest-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(path);
            return new ScratchDataDir(path, true);
        }

        /// <summary>Uses <paramref name="path"/>; throws <see cref="ArgumentException"/> when it holds anything (it would be deleted afterwards).</summary>
        public static ScratchDataDir Use(string path)
        {
            string full = System.IO.Path.GetFullPath(path);
            if (File.Exists(full))
            {
                throw new ArgumentException($"The scratch data directory '{full}' is a file. Give a new or empty folder.");
            }
            if (Directory.Exists(full))
            {
                if (Directory.EnumerateFileSystemEntries(full).Any())
                {
                    throw new ArgumentException($"The scratch data directory '{full}' is not empty; a restore test deletes its scratch directory's contents afterwards, so it only uses a new or empty folder. Nothing was changed.");
                }
                return new ScratchDataDir(full, false);
            }
            Directory.CreateDirectory(full);
            return new ScratchDataDir(full, true);
        }

        /// <summary>Deletes the contents (and the folder when the test created it). Returns null, or why it could not.</summary>
        public string Remove()
        {
            try
            {
                if (!Directory.Exists(Path))
                {
                    return null;
                }
                if (_created)
                {
                    Delete(new DirectoryInfo(Path));
                    return null;
                }
                foreach (var entry in new DirectoryInfo(Path).EnumerateFileSystemInfos())
                {
                    if (entry is DirectoryInfo d)
                    {
                        Delete(d);
                    }
                    else
                    {
                        entry.Attributes = FileAttributes.Normal;
                        entry.Delete();
                    }
                }
                return null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return $"The scratch data directory '{Path}' could not be deleted: {e.Message}";
            }
        }

        /// <summary>Deletes one database directory of the scratch directory (a plain name only). Returns null, or why it could not.</summary>
        public string RemoveEntry(string name)
        {
            if (string.IsNullOrEmpty(name) || name.IndexOfAny(new[] { '/', '\\' }) >= 0 || name == "." || name == "..")
            {
                return $"'{name}' is not a database directory name.";
            }
            string path = System.IO.Path.Combine(Path, name);
            try
            {
                if (Directory.Exists(path))
                {
                    Delete(new DirectoryInfo(path));
                }
                return null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return $"The scratch copy '{path}' could not be deleted: {e.Message}";
            }
        }

        private static void Delete(DirectoryInfo dir)
        {
            // Read-only files (Dolt's table files can be) would stop Directory.Delete on Windows.
            foreach (var f in dir.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                f.Attributes = FileAttributes.Normal;
            }
            dir.Delete(true);
        }
    }
}
