using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using DoltBackup.Common;
using DoltBackup.FileCopy;

namespace DoltBackup.Verification
{
    /// <summary>
    /// Checks the Dolt stores inside a FileCopy archive (<c>datadir.tar</c> or <c>datadir.tar.gz</c>) while the archive
    /// streams by once, with the same checks and the same results as on a folder (<see cref="NbsStoreVerifier"/>).
    /// Each entry of a store folder (<c>&lt;db&gt;/.dolt/noms</c>, its <c>oldgen/</c>, the nested stats store) is checked
    /// as it arrives: a journal straight from the stream (its format is sequential). A table file or a <c>.darc</c>
    /// archive, whose index sits at its end, is copied into memory when it is at most
    /// <see cref="VerificationOptions.ArchiveMemoryLimit"/> bytes and checked on a second thread while the next entry
    /// streams into a second buffer (two buffers at most). Of a larger one only its last bytes (footer, index) are
    /// kept, in a ring buffer of that size; with -Deep a larger table file is re-hashed record by record as it streams
    /// by (<see cref="StreamingTableChecker"/>), and a larger .darc archive, whose chunks refer to dictionaries
    /// anywhere in the file, is spooled to one owner-only temporary file that is deleted as soon as it is checked (so
    /// the disk used is at most the largest single .darc, one at a time).
    /// Tar order does not put a store's manifest first, so each file's results wait (a few per file) until the whole
    /// archive has been read; then every store is judged against its manifest: named files present, chunk counts and
    /// roots as recorded, unreferenced files reported as Info.
    /// </summary>
    internal sealed class ArchiveStoreScanner
    {
        /// <summary>Table files and archives up to this size are checked from memory, larger ones from a spool file.</summary>
        public const int DefaultInMemoryLimit = 64 << 20;
        private const int ManifestLimit = 64 << 20;

        private readonly string _archivePath;
        private readonly string _rootLabel;
        private readonly VerificationOptions _options;
        private readonly Dictionary<string, ArchiveStoreGeneration> _generations = new Dictionary<string, ArchiveStoreGeneration>(StringComparer.Ordinal);
        private readonly HashSet<string> _folders = new HashSet<string>(StringComparer.Ordinal);
        private readonly VerificationOptions _workerOptions;
        private readonly StreamedStoreFileChecker _files;
        private Task _running;

        /// <summary>Creates a scanner for one archive; <paramref name="rootLabel"/> names a database at the data dir's root.</summary>
        public ArchiveStoreScanner(string archivePath, string rootLabel, VerificationOptions options)
        {
            _archivePath = archivePath;
            _rootLabel = rootLabel;
            _options = options ?? new VerificationOptions();
            // The background check reports no progress: progress goes to PowerShell, which takes it on its own thread only.
            _workerOptions = new VerificationOptions
            {
                Deep = _options.Deep,
                CancellationToken = _options.CancellationToken,
                ArchiveMemoryLimit = _options.ArchiveMemoryLimit,
            };
            _files = new StreamedStoreFileChecker(_options, Truncated);
        }

        private const string Truncated = "The tar archive ends inside an entry's data (truncated).";

        /// <summary>True once the archive was read (to its end or to its damage).</summary>
        public bool Ran { get; private set; }

        /// <summary>The reason the archive could not be read to its end, or null.</summary>
        public string Damage { get; set; }

        /// <summary>
        /// Looks at one entry of the archive; for a file, <paramref name="data"/> gives its bytes (the caller hashes
        /// what is read and reads the rest). Only files of store folders are read here.
        /// </summary>
        public void Observe(TarEntry entry, Stream data)
        {
            Ran = true;
            string name = entry.Name;
            if (entry.Type == TarEntryType.Directory)
            {
                _folders.Add(name);
                var asGeneration = Locate(name + "/x");
                if (asGeneration.Generation != null)
                {
                    Generation(asGeneration.Generation, asGeneration.Oldgen);
                }
                return;
            }
            if (entry.Type != TarEntryType.File)
            {
                return;
            }
            int slash = name.LastIndexOf('/');
            if (slash > 0)
            {
                AddParents(name.Substring(0, slash));
            }
            var (prefix, oldgen, fileName) = Locate(name);
            if (prefix == null)
            {
                return;
            }
            var gen = Generation(prefix, oldgen);
            gen.Files.Add(fileName);
            string shown = _archivePath + ":" + name;
            if (fileName == "manifest")
            {
                gen.HasManifestEntry = true;
                ReadManifest(gen, data, entry.Size);
                return;
            }
            bool journal = fileName == DoltHash.JournalFileName;
            bool archive = fileName.EndsWith(".darc", StringComparison.Ordinal) && DoltHash.IsValid(fileName.Substring(0, fileName.Length - 5));
            bool table = !journal && DoltHash.IsValid(fileName);
            if (!journal && !archive && !table)
            {
                return;
            }
            string specName = archive ? fileName.Substring(0, fileName.Length - 5) : fileName;
            if (gen.Manifest != null && !gen.Manifest.Tables.Any(t => t.Name == specName))
            {
                return; // the manifest came first and does not name it: an extra file, reported as such, not checked
            }
            var ctx = StoreCheckContext.Deferred(gen.Target, _options);
            gen.Checked[fileName] = ctx;
            // Read errors of the archive itself are not this file's: they end the whole pass (see Complete).
            if (journal)
            {
                _options.Report("Checking the chunk journal", shown, 0, entry.Size);
                JournalChecker.Check(new BufferedStream(data, 1 << 16), entry.Size, shown, ctx);
                return;
            }
            _options.Report(archive ? "Checking archives" : "Checking table files", shown, 0, entry.Size);
            if (_files.FitsInMemory(entry.Size))
            {
                // Two buffers: while one file is checked on a second core, the next one streams into the other.
                byte[] buffer = _files.Fill(data, entry.Size);
                WaitForChecks();
                var background = StoreCheckContext.Deferred(gen.Target, _workerOptions);
                gen.Checked[fileName] = background;
                _running = Task.Run(() => StreamedStoreFileChecker.CheckHeld(new MemoryStream(buffer, 0, (int)entry.Size, writable: false), entry.Size, archive, specName, shown, background));
                return;
            }
            WaitForChecks();
            _files.CheckLarge(data, entry.Size, archive, fileName, specName, shown, ctx);
        }

        /// <summary>Waits for the check running in the background, if any (its errors surface here).</summary>
        public void WaitForChecks()
        {
            var running = _running;
            _running = null;
            if (running != null)
            {
                try
                {
                    running.Wait();
                }
                catch (AggregateException e) when (e.InnerExceptions.Count == 1)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }
            }
        }

        /// <summary>Marks the archive as read to its end; without it, the stores are not judged.</summary>
        public void Complete()
        {
            WaitForChecks();
            Completed = true;
        }

        /// <summary>True when the archive was read to its end.</summary>
        public bool Completed { get; private set; }

        /// <summary>Judges every store seen, in the order a folder check takes (databases by name, each store then its stats store).</summary>
        public void Finish(string target, Action<VerificationResult> emit)
        {
            WaitForChecks();
            if (!Ran)
            {
                emit(new VerificationResult(target, "Store.Structure", VerificationStatus.Skipped,
                    "The archive could not be read, so the Dolt stores inside it were not checked (see the archive's own results).", VerificationLevel.Structure, _archivePath));
                return;
            }
            if (Damage != null || !Completed)
            {
                emit(new VerificationResult(target, "Store.Structure", VerificationStatus.Skipped,
                    $"The archive is damaged ({Damage ?? "it could not be read to its end"}): the Dolt stores inside it could not be read to their end and are not judged.", VerificationLevel.Structure, _archivePath));
                return;
            }
            var databases = new List<(string DoltDir, string Target)>();
            if (_folders.Contains(".dolt/noms"))
            {
                databases.Add((".dolt", _rootLabel));
            }
            foreach (var folder in _folders.Where(f => f.EndsWith("/.dolt/noms", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal))
            {
                string db = folder.Substring(0, folder.Length - "/.dolt/noms".Length);
                if (db.Length > 0 && db.IndexOf('/') < 0)
                {
                    databases.Add((db + "/.dolt", db));
                }
            }
            if (databases.Count == 0)
            {
                emit(new VerificationResult(target, "DataDir.Databases", VerificationStatus.Failed, "No database (a folder with .dolt/noms) in the archive's data dir.", VerificationLevel.Structure, _archivePath));
                return;
            }
            foreach (var (doltDir, db) in databases)
            {
                _options.CancellationToken.ThrowIfCancellationRequested();
                NbsStoreVerifier.Verify(Generation(doltDir + "/noms", false), db, _options, emit);
                var stats = Generation(doltDir + "/stats/.dolt/noms", false);
                if (stats.HasManifestEntry)
                {
                    NbsStoreVerifier.Verify(stats, db + " (stats)", _options, emit);
                }
            }
        }

        /// <summary>The store folder (prefix up to noms), whether the file is in oldgen/, and its name; nulls when it is in no store folder.</summary>
        private (string Generation, bool Oldgen, string FileName) Locate(string name)
        {
            var parts = name.Split('/');
            int noms = Array.LastIndexOf(parts, "noms");
            if (noms < 1 || parts[noms - 1] != ".dolt")
            {
                return (null, false, null);
            }
            string doltDir = string.Join("/", parts, 0, noms);
            bool known = doltDir == ".dolt" || doltDir == ".dolt/stats/.dolt"
                || (noms == 2 && parts[0].Length > 0) || (noms == 4 && parts[1] == ".dolt" && parts[2] == "stats");
            if (!known)
            {
                return (null, false, null);
            }
            int rest = parts.Length - noms - 1;
            if (rest == 1)
            {
                return (doltDir + "/noms", false, parts[noms + 1]);
            }
            if (rest == 2 && parts[noms + 1] == "oldgen")
            {
                return (doltDir + "/noms", true, parts[noms + 2]);
            }
            return (null, false, null);
        }

        private void AddParents(string folder)
        {
            while (folder.Length > 0 && _folders.Add(folder))
            {
                int slash = folder.LastIndexOf('/');
                folder = slash < 0 ? "" : folder.Substring(0, slash);
            }
        }

        private ArchiveStoreGeneration Generation(string noms, bool oldgen)
        {
            if (!_generations.TryGetValue(noms, out var gen))
            {
                gen = new ArchiveStoreGeneration(_archivePath + ":" + noms, TargetOf(noms), null);
                _generations[noms] = gen;
            }
            if (!oldgen)
            {
                return gen;
            }
            return gen.OldgenGeneration ?? (gen.OldgenGeneration = new ArchiveStoreGeneration(_archivePath + ":" + noms + "/oldgen", gen.Target + " (oldgen)", gen));
        }

        private string TargetOf(string noms)
        {
            string doltDir = noms.Substring(0, noms.Length - "/noms".Length);
            string db = doltDir == ".dolt" || doltDir == ".dolt/stats/.dolt" ? _rootLabel : doltDir.Substring(0, doltDir.IndexOf('/'));
            return doltDir.EndsWith("/stats/.dolt", StringComparison.Ordinal) ? db + " (stats)" : db;
        }

        private void ReadManifest(ArchiveStoreGeneration gen, Stream data, long size)
        {
            if (size > ManifestLimit)
            {
                gen.ManifestError = new IOException($"the manifest is {size} bytes, larger than any NBS manifest");
                return;
            }
            var bytes = new byte[size];
            if (!FileReading.ReadExactly(data, bytes, 0, bytes.Length))
            {
                throw new InvalidDataException(Truncated);
            }
            gen.ManifestText = Encoding.UTF8.GetString(bytes);
            try
            {
                gen.Manifest = NbsManifest.Parse(gen.ManifestText);
            }
            catch (FormatException)
            {
                gen.Manifest = null; // reported when the store is judged
            }
        }
    }
}
