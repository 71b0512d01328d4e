using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Manifest;

namespace DoltBackup.Linking
{
    /// <summary>
    /// Starts a new file:// store as a copy of an earlier one that costs no disk for what they share: every file
    /// <see cref="StoreFileRules"/> calls immutable becomes a hard link, the rest is copied, and the store's
    /// <c>manifest</c> comes last, so a store with a manifest is always completely seeded (an interrupted seed leaves
    /// no manifest, and Dolt then writes the store in full). When a link cannot be made, that file and the rest of
    /// the store are copied and <c>onLinkFailure</c> is told why; seeding never fails for a link.
    /// </summary>
    public sealed class StoreSeeder
    {
        private readonly IHardLinker _linker;

        /// <summary>Creates a seeder with the given linker (default: the platform's).</summary>
        public StoreSeeder(IHardLinker linker = null) => _linker = linker ?? HardLinks.ForThisPlatform();

        /// <summary>
        /// Seeds <paramref name="targetStore"/> (created when missing) from <paramref name="sourceStore"/>. Files that
        /// already exist in the target are left alone. IO errors other than a failed link are thrown.
        /// </summary>
        public StoreSeed Seed(string sourceStore, string targetStore, Action<string> onLinkFailure)
        {
            var seed = new StoreSeed { Method = StoreSeedMethod.HardLink };
            string source = Path.GetFullPath(sourceStore);
            string target = Path.GetFullPath(targetStore);
            Directory.CreateDirectory(target);
            bool linking = true;
            foreach (var rel in OrderedFiles(source))
            {
                var treatment = StoreFileRules.Classify(rel);
                if (treatment == StoreFileTreatment.Skip)
                {
                    continue;
                }
                string from = Path.Combine(source, rel);
                string to = Path.Combine(target, rel);
                if (File.Exists(to))
                {
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(to));
                long length = new FileInfo(from).Length;
                if (treatment == StoreFileTreatment.Link && linking)
                {
                    string why = _linker.TryLink(from, to);
                    if (why == null)
                    {
                        seed.LinkedFiles++;
                        seed.LinkedBytes += length;
                        continue;
                    }
                    linking = false;
                    seed.Method = StoreSeedMethod.Copy;
                    seed.Note = $"Hard links could not be made from {sourceStore} to {targetStore} ({why}): the files were copied.";
                    onLinkFailure?.Invoke(why);
                }
                CopyAtomically(from, to);
                seed.CopiedFiles++;
                seed.CopiedBytes += length;
            }
            return seed;
        }

        /// <summary>Every file of the store, relative: content-named files first, the manifests last (oldgen's, then the store's).</summary>
        private static IEnumerable<string> OrderedFiles(string source)
        {
            var all = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
                .Select(f => f.Substring(source.Length).TrimStart(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar))
                .ToList();
            return all.OrderBy(Rank).ThenBy(r => r, StringComparer.Ordinal);
        }

        private static int Rank(string rel)
        {
            string r = rel.Replace('\\', '/');
            if (r == "manifest")
            {
                return 3;
            }
            if (r == "oldgen/manifest")
            {
                return 2;
            }
            return StoreFileRules.Classify(r) == StoreFileTreatment.Link ? 0 : 1;
        }

        private static void CopyAtomically(string from, string to)
        {
            string temp = Path.Combine(Path.GetDirectoryName(to), ".doltbackup-seed-" + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                File.Copy(from, temp);
                File.Move(temp, to);
            }
            catch
            {
                try
                {
                    File.Delete(temp);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
                throw;
            }
        }
    }
}
