using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Common;
using DoltBackup.Manifest;

namespace DoltBackup.FileCopy
{
    /// <summary>
    /// Lists what a FileCopy backup copies from a data dir: every file and directory, in a stable order, except
    /// sql-server.info / sql-server.lock (they hold a running server's superuser secret) and symbolic links.
    /// </summary>
    public static class DataDirScanner
    {
        private static readonly HashSet<string> ServerInfoNames = new HashSet<string>(StringComparer.Ordinal) { "sql-server.info", "sql-server.lock" };

        /// <summary>Scans a data dir; what is left out is added to <paramref name="omitted"/>.</summary>
        public static List<DataDirEntry> Scan(string dataDir, List<OmittedFile> omitted)
        {
            string root = Path.GetFullPath(dataDir).TrimEnd(Path.DirectorySeparatorChar);
            var databases = new HashSet<string>(Directory.GetDirectories(root).Where(d => Directory.Exists(Path.Combine(d, ".dolt", "noms"))).Select(Path.GetFileName), StringComparer.Ordinal);
            string rootDb = Directory.Exists(Path.Combine(root, ".dolt", "noms")) ? Path.GetFileName(root) : null;
            var result = new List<DataDirEntry>();
            Walk(root, root, databases, rootDb, result, omitted);
            return result;
        }

        private static void Walk(string root, string dir, HashSet<string> databases, string rootDb, List<DataDirEntry> result, List<OmittedFile> omitted)
        {
            foreach (var path in Directory.GetFileSystemEntries(dir).OrderBy(p => p, StringComparer.Ordinal))
            {
                var info = new FileInfo(path);
                bool isDir = (info.Attributes & FileAttributes.Directory) != 0;
                string rel = path.Substring(root.Length + 1).Replace(Path.DirectorySeparatorChar, '/');
                string name = Path.GetFileName(path);
                if ((info.Attributes & FileAttributes.ReparsePoint) != 0)
                {
                    omitted.Add(new OmittedFile { Kind = "SymbolicLink", OriginalPath = path, Reason = "Symbolic links are not followed by a FileCopy backup; copy their target separately if it matters." });
                    continue;
                }
                if (!isDir && ServerInfoNames.Contains(name) && Path.GetFileName(dir) == ".dolt")
                {
                    omitted.Add(new OmittedFile { Kind = "ServerInfo", OriginalPath = path, Reason = "sql-server.info holds the secret of a running server's ephemeral superuser; it is never copied (a restored server writes its own)." });
                    continue;
                }
                string first = rel.Split('/')[0];
                var entry = new DataDirEntry
                {
                    RelativePath = rel,
                    FullPath = path,
                    IsDirectory = isDir,
                    Size = isDir ? 0 : info.Length,
                    Mode = UnixFileMode.TryGet(path),
                    ModifiedUtc = info.LastWriteTimeUtc,
                    Database = databases.Contains(first) && rel.Contains("/") ? first : rootDb,
                    IsLockFile = !isDir && name == "LOCK" && IsInsideNoms(rel),
                    Secret = !isDir && IsSecret(rel, name),
                };
                result.Add(entry);
                if (isDir)
                {
                    Walk(root, path, databases, rootDb, result, omitted);
                }
            }
        }

        private static bool IsInsideNoms(string rel) => rel.Contains("/noms/") || rel.StartsWith("noms/", StringComparison.Ordinal) || rel.Contains(".dolt/noms");

        /// <summary>Files that hold password hashes or keys, or may hold a password.</summary>
        public static bool IsSecret(string rel, string name)
        {
            if (name == "privileges.db" || name.EndsWith(".jwk", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".key", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".pem", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            if (rel.Split('/').Contains("creds"))
            {
                return true;
            }
            return !rel.Contains("/") && (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));
        }
    }
}
