using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace DoltBackup.Verification
{
    /// <summary>
    /// Verifies one NBS store offline, with no dolt binary (dolt-reference §6 "verifier recipe"): a database's
    /// <c>.dolt/noms</c> or a file:// backup directory. The manifest parses; every referenced table file, archive and
    /// journal exists and passes its checks; <c>oldgen/</c> likewise; unreferenced files are reported as Info.
    /// What this cannot see: a chunk that is referenced but absent from every file (the corrupt missing_* stores):
    /// that needs a walk of the chunk graph, which is what <c>dolt fsck</c> does.
    /// </summary>
    public static class NbsStoreVerifier
    {
        /// <summary>Files every store may hold besides its table files.</summary>
        private static readonly HashSet<string> KnownFiles = new HashSet<string>(StringComparer.Ordinal)
        {
            "manifest", "LOCK", "journal.idx", "ghostObjects.txt",
        };

        /// <summary>Verifies the store in <paramref name="storeDir"/> (the folder that holds <c>manifest</c>).</summary>
        public static void Verify(string storeDir, string target, VerificationOptions options, Action<VerificationResult> emit)
        {
            Verify(new FolderStoreGeneration(storeDir), target, options, emit);
        }

        /// <summary>Verifies a store and returns the results.</summary>
        public static List<VerificationResult> Verify(string storeDir, string target, VerificationOptions options = null)
        {
            var results = new List<VerificationResult>();
            Verify(storeDir, target, options, results.Add);
            return results;
        }

        /// <summary>Verifies a store wherever its files are (a folder, or an archive read once), newgen then oldgen.</summary>
        internal static void Verify(StoreGeneration store, string target, VerificationOptions options, Action<VerificationResult> emit)
        {
            options = options ?? new VerificationOptions();
            VerifyOneGeneration(store, new StoreCheckContext(target, options, emit), oldgen: false);
            var oldgen = store.Oldgen;
            if (oldgen != null)
            {
                VerifyOneGeneration(oldgen, new StoreCheckContext(target + " (oldgen)", options, emit), oldgen: true);
            }
        }

        private static void VerifyOneGeneration(StoreGeneration store, StoreCheckContext ctx, bool oldgen)
        {
            string dir = store.Dir;
            string manifestPath = store.PathOf("manifest");
            string label = oldgen ? "oldgen manifest" : "manifest";
            if (!store.HasManifest)
            {
                if (oldgen)
                {
                    ctx.Info("Manifest.Present", "oldgen/ has no manifest: nothing was ever moved there by GC.", dir);
                }
                else
                {
                    ctx.Failed("Manifest.Present", $"No NBS manifest in '{dir}': this is not a Dolt store, or its manifest is lost.", manifestPath);
                }
                return;
            }
            NbsManifest manifest;
            try
            {
                manifest = NbsManifest.Parse(store.ReadManifestText());
            }
            catch (FormatException e)
            {
                ctx.Failed("Manifest.Parse", $"The {label} does not parse: {e.Message}.", manifestPath);
                return;
            }
            catch (IOException e)
            {
                ctx.Failed("Manifest.Parse", $"The {label} cannot be read: {e.Message}", manifestPath);
                return;
            }
            catch (UnauthorizedAccessException e)
            {
                ctx.Failed("Manifest.Parse", $"The {label} cannot be read: {e.Message}", manifestPath);
                return;
            }
            ctx.Passed("Manifest.Parse", $"The {label} is version {manifest.Version} ({manifest.NbfVersion}), root {manifest.Root}, {manifest.Tables.Count} file(s).", manifestPath);

            var referenced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var spec in manifest.Tables)
            {
                ctx.Options.CancellationToken.ThrowIfCancellationRequested();
                string archiveName = spec.Name + ".darc";
                string table = store.PathOf(spec.Name);
                try
                {
                    if (spec.IsJournal)
                    {
                        referenced.Add(spec.Name);
                        if (!store.Exists(spec.Name))
                        {
                            ctx.Failed("Store.FilePresent", $"The {label} names the chunk journal, which is missing.", table);
                            continue;
                        }
                        ctx.Options.Report("Checking the chunk journal", table, 0, 0);
                        store.CheckJournal(spec, manifest, ctx);
                    }
                    else if (store.Exists(spec.Name))
                    {
                        referenced.Add(spec.Name);
                        ctx.Options.Report("Checking table files", table, 0, 0);
                        store.CheckTable(spec, manifest, ctx);
                    }
                    else if (store.Exists(archiveName))
                    {
                        referenced.Add(archiveName);
                        ctx.Options.Report("Checking archives", store.PathOf(archiveName), 0, 0);
                        store.CheckArchive(spec, manifest, ctx);
                    }
                    else
                    {
                        ctx.Failed("Store.FilePresent", $"The {label} names {spec.Name} ({spec.ChunkCount} chunks), but neither {spec.Name} nor {spec.Name}.darc exists.", table);
                    }
                }
                catch (IOException e)
                {
                    ctx.Failed("Store.FileReadable", $"{spec.Name} cannot be read: {e.Message}", table);
                }
                catch (UnauthorizedAccessException e)
                {
                    ctx.Failed("Store.FileReadable", $"{spec.Name} cannot be read: {e.Message}", table);
                }
            }

            foreach (var name in store.FileNames().OrderBy(f => f, StringComparer.Ordinal))
            {
                if (referenced.Contains(name) || KnownFiles.Contains(name))
                {
                    continue;
                }
                ctx.Info("Store.ExtraFile", DescribeExtra(name), store.PathOf(name));
            }
        }

        private static string DescribeExtra(string name)
        {
            if (name.StartsWith("nbs_table_", StringComparison.Ordinal) || name.StartsWith("nbs_manifest_", StringComparison.Ordinal) || name.StartsWith(".dolt_prune_probe_", StringComparison.Ordinal))
            {
                return $"{name} is a transient file of an interrupted write; Dolt does not read it.";
            }
            if (name.StartsWith(DoltHash.JournalFileName + "_save", StringComparison.Ordinal))
            {
                return $"{name} is a journal recovery copy kept by Dolt; the manifest does not reference it.";
            }
            return $"{name} is not referenced by the manifest (normal after an interrupted sync or a GC; Dolt does not read it).";
        }
    }
}
