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
        /// already exist in the target are left alone. IO errors other than a failed link are thrown (and leave no manifest).
        /// </summary>
        public StoreSeed Seed(string sourceStore, string targetStore, Action<string> onLinkFailure)
        {
            var seed = new StoreSeed { Method = StoreSeedMethod.HardLink };
            string source = Path.GetFullPath(sourceStore);
            string target = Path.GetFullPath(targetStore);
            Directory.CreateDirectory(target);
            // The manifests are read first: every file they name was written before them (Dolt writes table files,
            // then the manifest), so it is there to link even if the source store is synced again meanwhile.
            var manifests = new List<(string Temp, string Final, long Length)>();
            try
            {
                foreach (var rel in ManifestNames.Where(m => File.Exists(Path.Combine(source, m))))
                {
                    string final = Path.Combine(target, rel);
                    if (!File.Exists(final))
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(final));
                        string temp = TempBeside(final);
                        File.Copy(Path.Combine(source, rel), temp);
                        manifests.Add((temp, final, new FileInfo(temp).Length));
                    }
                }
                bool linking = true;
                foreach (var rel in OrderedFiles(source))
                {
                    var treatment = StoreFileRules.Classify(rel);
                    string from = Path.Combine(source, rel);
                    string to = Path.Combine(target, rel);
                    if (treatment == StoreFileTreatment.Skip || ManifestNames.Contains(rel.Replace('\\', '/')) || File.Exists(to))
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
                // Last, oldgen's then the store's: a store with a manifest is completely seeded.
                foreach (var m in manifests)
                {
                    File.Move(m.Temp, m.Final);
                    seed.CopiedFiles++;
                    seed.CopiedBytes += m.Length;
                }
                return seed;
            }
            catch
            {
                foreach (var m in manifests)
                {
                    TryDelete(m.Temp);
                }
                throw;
            }
        }

        /// <summary>The manifests, in the order they are put in place (the store's own last).</summary>
        private static readonly string[] ManifestNames = { "oldgen/manifest", "manifest" };

        /// <summary>Every file of the store, relative: content-named files first, then the others.</summary>
        private static IEnumerable<string> OrderedFiles(string source)
        {
            return Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
                .Select(f => f.Substring(source.Length).TrimStart(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar))
                .OrderBy(r => StoreFileRules.Classify(r) == StoreFileTreatment.Link ? 0 : 1)
                .ThenBy(r => r, StringComparer.Ordinal)
                .ToList();
        }

        private static string TempBeside(string path)
            => Path.Combine(Path.GetDirectoryName(path), ".doltbackup-seed-" + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private static void CopyAtomically(string from, string to)
        {
            string temp = TempBeside(to);
            try
            {
                File.Copy(from, temp);
                File.Move(temp, to);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }
    }
}
