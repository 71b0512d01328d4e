using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using DoltBackup.Manifest;

namespace DoltBackup.Catalog
{
    /// <summary>
    /// Lists the backup sets under a backup root (a folder with one folder per set). It reads only what it needs:
    /// the root's child folders and each one's manifest.json, once, parsed in parallel; nothing else in a set folder
    /// is touched (a folder without manifest.json is walked only when <see cref="CatalogListing.Incomplete"/> is read). Unreadable manifests become <see cref="CatalogProblem"/>s, never exceptions.
    /// </summary>
    public static class BackupCatalog
    {
        /// <summary>True when <paramref name="folder"/> is a backup set folder (it holds manifest.json).</summary>
        public static bool IsBackupSetFolder(string folder) => File.Exists(Path.Combine(folder, BackupManifest.FileName));

        /// <summary>
        /// Reads every set under <paramref name="root"/>, newest first. Throws only when the root itself cannot be
        /// enumerated (missing, no access).
        /// </summary>
        public static CatalogListing ListRoot(string root, int maxDegreeOfParallelism = 0)
        {
            string fullRoot = Path.GetFullPath(root);
            string[] folders = Directory.GetDirectories(fullRoot);
            var sets = new BackupManifest[folders.Length];
            var problems = new CatalogProblem[folders.Length];
            var missing = new bool[folders.Length];
            var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount };
            Parallel.For(0, folders.Length, options, i =>
            {
                string file = Path.Combine(folders[i], BackupManifest.FileName);
                try
                {
                    sets[i] = ManifestFileReader.Read(file);
                }
                catch (FileNotFoundException)
                {
                    missing[i] = true;
                }
                catch (Exception e) when (e is ManifestSchemaException || e is IOException || e is UnauthorizedAccessException)
                {
                    problems[i] = new CatalogProblem(file, e);
                }
            });
            var list = BackupSetTime.SortNewestFirst(sets.Where(s => s != null));
            var without = folders.Where((f, i) => missing[i]).OrderBy(f => f, StringComparer.Ordinal).ToList();
            return new CatalogListing(
                fullRoot,
                list,
                problems.Where(p => p != null).OrderBy(p => p.Path, StringComparer.Ordinal).ToList(),
                without,
                () => without.Where(f => IncompleteBackupSet.IsSetFolderName(Path.GetFileName(f))).Select(DescribeIncomplete).Where(s => s != null)
                    .OrderByDescending(s => s.LastWriteTimeUtc ?? DateTime.MinValue).ThenByDescending(s => s.Id, StringComparer.Ordinal).ToList());
        }

        /// <summary>
        /// Describes a set folder without manifest.json (files, bytes, newest write), or null when it holds no file at
        /// all, cannot be read, is itself a link (to a folder elsewhere: not a set folder) or holds a Dolt store (see
        /// <see cref="HoldsDoltStore"/>). Links in it are counted, never followed.
        /// </summary>
        public static IncompleteBackupSet DescribeIncomplete(string folder)
        {
            try
            {
                var dir = new DirectoryInfo(folder);
                if (IsLink(dir) || HoldsDoltStore(dir))
                {
                    return null;
                }
                var files = FilesNotFollowingLinks(dir).ToList();
                if (files.Count == 0)
                {
                    return null;
                }
                // The lock file is left out of the newest time (taking the lock creates it) unless it is all there is.
                string lockFile = Path.Combine(folder, Locking.BackupSetLock.FileName);
                var content = files.Where(f => f.FullName != lockFile).ToList();
                return new IncompleteBackupSet(folder, Path.GetFileName(folder), files.Count, files.Sum(f => f.Length), (content.Count > 0 ? content : files).Max(f => f.LastWriteTimeUtc));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>
        /// True when <paramref name="folder"/> holds, at any depth (links not entered), a Dolt store: a <c>.dolt</c>
        /// folder or a file named <c>manifest</c> (a noms store's manifest). A set's data written by Dolt to a
        /// <c>-Destination</c> apart from its manifest.json looks like a set folder without manifest.json; it is never
        /// taken for an incomplete set, so never deleted as one.
        /// </summary>
        internal static bool HoldsDoltStore(DirectoryInfo folder)
        {
            foreach (var entry in folder.EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo sub)
                {
                    if (entry.Name == ".dolt" || (!IsLink(entry) && HoldsDoltStore(sub)))
                    {
                        return true;
                    }
                }
                else if (entry.Name == "manifest")
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>True when <paramref name="entry"/> is a link (a symbolic link, a junction), not a folder or file of its own.</summary>
        internal static bool IsLink(FileSystemInfo entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0;

        /// <summary>The files under <paramref name="folder"/>, at any depth; linked folders are not entered.</summary>
        internal static IEnumerable<FileInfo> FilesNotFollowingLinks(DirectoryInfo folder)
        {
            foreach (var entry in folder.EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo sub && !IsLink(entry))
                {
                    foreach (var f in FilesNotFollowingLinks(sub))
                    {
                        yield return f;
                    }
                }
                else if (entry is FileInfo file)
                {
                    yield return file;
                }
            }
        }
    }
}
