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
    /// is touched. Unreadable manifests become <see cref="CatalogProblem"/>s, never exceptions.
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
            return new CatalogListing(
                fullRoot,
                list,
                problems.Where(p => p != null).OrderBy(p => p.Path, StringComparer.Ordinal).ToList(),
                folders.Where((f, i) => missing[i]).OrderBy(f => f, StringComparer.Ordinal).ToList());
        }
    }
}
