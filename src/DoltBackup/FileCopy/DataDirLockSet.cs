using System;
using System.Collections.Generic;
using System.IO;
using DoltBackup.Locking;

namespace DoltBackup.FileCopy
{
    /// <summary>
    /// Every Dolt lock of a data dir, held together: each database's noms/LOCK, its oldgen/LOCK and its nested stats
    /// store's LOCK. While the set is held, no Dolt process can open any database for writing (dolt-reference §5).
    /// </summary>
    public sealed class DataDirLockSet : IDisposable
    {
        private readonly List<NomsLock> _locks = new List<NomsLock>();

        private DataDirLockSet()
        {
        }

        /// <summary>The databases covered.</summary>
        public List<string> Databases { get; } = new List<string>();

        /// <summary>The LOCK files held.</summary>
        public IEnumerable<string> LockFiles
        {
            get
            {
                foreach (var l in _locks)
                {
                    yield return l.Path;
                }
            }
        }

        /// <summary>The LOCK files a data dir's databases use: noms/LOCK always; oldgen and stats LOCKs when they exist.</summary>
        public static List<(string Database, string LockPath)> LockFilesOf(string dataDir)
        {
            var result = new List<(string, string)>();
            foreach (var (name, nomsLock) in DataDirUsage.DatabaseLockFiles(dataDir))
            {
                result.Add((name, nomsLock));
                string noms = Path.GetDirectoryName(nomsLock);
                string oldgen = Path.Combine(noms, "oldgen", "LOCK");
                if (File.Exists(oldgen))
                {
                    result.Add((name, oldgen));
                }
                string stats = Path.Combine(Path.GetDirectoryName(noms), "stats", ".dolt", "noms", "LOCK");
                if (File.Exists(stats))
                {
                    result.Add((name, stats));
                }
            }
            return result;
        }

        /// <summary>
        /// Takes every lock, retrying until <paramref name="wait"/> has passed; throws <see cref="FileCopyRefusedException"/>
        /// naming the first database whose lock another process holds (every lock taken so far is released).
        /// </summary>
        public static DataDirLockSet Acquire(string dataDir, TimeSpan wait, System.Threading.CancellationToken cancellation)
        {
            var set = new DataDirLockSet();
            var deadline = DateTime.UtcNow + wait;
            try
            {
                foreach (var (db, lockPath) in LockFilesOf(dataDir))
                {
                    NomsLock taken;
                    while ((taken = NomsLock.TryAcquire(lockPath)) == null)
                    {
                        if (DateTime.UtcNow >= deadline)
                        {
                            throw new FileCopyRefusedException(FileCopyRefusal.DatabaseLocked,
                                $"Database '{db}' is in use: another process holds its lock {lockPath}. A Dolt process (dolt sql-server, or a dolt command) has it open, so its files can change while they are copied. Stop it first (for example systemctl stop dolt, or Stop-Service), or give -StopCommand and -StartCommand.",
                                database: db);
                        }
                        cancellation.ThrowIfCancellationRequested();
                        System.Threading.Thread.Sleep(100);
                    }
                    set._locks.Add(taken);
                    if (!set.Databases.Contains(db))
                    {
                        set.Databases.Add(db);
                    }
                }
                return set;
            }
            catch
            {
                set.Dispose();
                throw;
            }
        }

        /// <summary>Releases every lock.</summary>
        public void Dispose()
        {
            foreach (var l in _locks)
            {
                l.Dispose();
            }
            _locks.Clear();
        }
    }
}
