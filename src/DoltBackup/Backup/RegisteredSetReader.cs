using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Sync-DoltBackup -Name: the backup set as the server knows it, from the backups registered under that name in
    /// each selected database. When the backup folder already holds a manifest of that name it is used, with databases
    /// registered since added to it.
    /// </summary>
    public static class RegisteredSetReader
    {
        /// <summary>Builds (or reads and completes) the manifest of the set named <paramref name="name"/>.</summary>
        public static async Task<BackupManifest> ReadAsync(IDoltEngine engine, string name, IReadOnlyList<string> include, IReadOnlyList<string> exclude,
            string backupFolder, BackupSource source, CancellationToken ct)
        {
            var all = await engine.ListDatabasesAsync(ct).ConfigureAwait(false);
            var selected = DatabaseSelector.Select(all, include, exclude, out _);
            var items = new List<DatabaseBackupItem>();
            var warnings = new List<string>();
            var listed = await BulkBackupListing.TryListAsync(engine, selected, ct).ConfigureAwait(false);
            foreach (var db in selected)
            {
                var registered = listed != null && listed.TryGetValue(db, out var l) ? l : await engine.ListBackupsAsync(db, ct).ConfigureAwait(false);
                var backup = registered.FirstOrDefault(b => b.Name == name);
                if (backup == null)
                {
                    warnings.Add($"Database '{db}' has no backup named '{name}': it is not synced. Register it with New-DoltBackup -Name {name}.");
                    continue;
                }
                items.Add(new DatabaseBackupItem { Name = db, BackupName = name, Url = backup.Url, Status = ItemStatus.Configured });
            }
            if (items.Count == 0)
            {
                throw new DoltEngineException(DoltErrorKind.BackupNotFound, $"No selected database has a backup named '{name}'.", "BackupNotRegistered",
                    System.Management.Automation.ErrorCategory.ObjectNotFound, "Register the backups with New-DoltBackup first, or check -Name.");
            }
            if (backupFolder == null)
            {
                backupFolder = CommonParent(items.Select(i => i.Url).ToList());
                if (backupFolder == null)
                {
                    throw new DoltEngineException(DoltErrorKind.Other, $"The backups named '{name}' are not all file:// URLs under one folder, so there is no default place for manifest.json.",
                        "NoBackupFolder", System.Management.Automation.ErrorCategory.InvalidArgument, "Give -Path: the local folder where manifest.json is kept.");
                }
            }
            BackupManifest manifest = null;
            string existing = Path.Combine(backupFolder, BackupManifest.FileName);
            if (File.Exists(existing))
            {
                try
                {
                    var read = ManifestStore.Read(existing);
                    if (read.Name == name && read.Method == BackupMethod.DoltBackup)
                    {
                        manifest = read;
                    }
                }
                catch (ManifestSchemaException)
                {
                }
            }
            if (manifest == null)
            {
                if (DoltBackup.Storage.Sets.StagedStores.LooksStaged(backupFolder))
                {
                    warnings.Add($"'{backupFolder}' looks like the staging folder of a set New-DoltBackup made for an object-store destination (s3://, az://, https://), but it holds no {BackupManifest.FileName}: " +
                        "the destination is not known from Dolt's registrations, so this set is synced locally and NOT uploaded. Run New-DoltBackup -Destination <url> -StagingPath " +
                        $"'{backupFolder}' again (it reuses the staged stores), then Sync-DoltBackup.");
                }
                var now = DateTime.UtcNow;
                manifest = new BackupManifest
                {
                    Id = BackupId.Create(name, now), Name = name, Method = BackupMethod.DoltBackup, CreatedUtc = now, Source = source ?? new BackupSource(),
                    Destination = new BackupDestination { BackupFolder = backupFolder, BaseUrl = CommonParentUrl(items.Select(i => i.Url).ToList()) },
                };
            }
            foreach (var item in items)
            {
                var known = manifest.FindDatabase(item.Name);
                if (known == null)
                {
                    manifest.Databases.Add(item);
                }
                else if (!BackupUrls.SameUrl(known.Url, item.Url))
                {
                    known.Url = item.Url;
                }
            }
            foreach (var w in warnings)
            {
                manifest.AddWarning(w);
            }
            return manifest;
        }

        private static string CommonParent(IReadOnlyList<string> urls)
        {
            if (urls.Any(u => !BackupUrls.IsFile(u)))
            {
                return null;
            }
            var parents = urls.Select(u => Path.GetDirectoryName(Path.GetFullPath(BackupUrls.LocalPath(u)))).Distinct().ToList();
            return parents.Count == 1 ? parents[0] : null;
        }

        private static string CommonParentUrl(IReadOnlyList<string> urls)
        {
            var parents = urls.Select(u => u.Substring(0, Math.Max(0, u.TrimEnd('/').LastIndexOf('/')))).Distinct().ToList();
            return parents.Count == 1 ? parents[0] : null;
        }
    }
}
