using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Backup;
using DoltBackup.Common;
using DoltBackup.Engine;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Registers a backup of every database of a Dolt SQL server (or offline data directory).</para>
    /// <para type="description">For each selected database, registers dolt_backup('add', name, url) with its own URL
    /// under -Destination (idempotent), refuses URL conflicts and file:// stores owned by another database, and emits the
    /// backup manifest (status Configured), written to the backup folder. Pipe it to Sync-DoltBackup.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "DoltBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BackupManifest))]
    public sealed class NewDoltBackupCommand : DoltEngineCmdlet
    {
        /// <summary>The base URL (file://, aws://, gs://, https://) or a local folder; each database gets base/&lt;database&gt;.</summary>
        [Parameter(Position = 0, HelpMessage = "Base URL (file://, aws://, gs://, https://) or a local folder; each database gets <base>/<database>.")]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        /// <summary>The backup name registered in every database.</summary>
        [Parameter(HelpMessage = "The backup name registered in every database (letters, digits, '_' and '-'). Default: doltbackup.")]
        [ValidatePattern("^[A-Za-z0-9_-]{1,64}$")]
        public string Name { get; set; } = "doltbackup";

        /// <summary>Databases to include (wildcards; default all user databases).</summary>
        [Parameter(HelpMessage = "Databases to include (wildcards). Default: every user database.")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Database { get; set; }

        /// <summary>Databases to leave out (wildcards).</summary>
        [Parameter(HelpMessage = "Databases to leave out (wildcards).")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] ExcludeDatabase { get; set; }

        /// <summary>Give this run its own URL suffix (the UTC label) so older versions stay intact.</summary>
        [Parameter(HelpMessage = "Give this run its own URLs (<base>/<UTC label>/<database>) so older versions stay intact.")]
        public SwitchParameter Versioned { get; set; }

        /// <summary>The backup folder for manifest.json (default: the file:// destination's folder).</summary>
        [Parameter(HelpMessage = "The backup folder for manifest.json. Default: the file:// destination's folder; required for aws://, gs://, DoltHub https:// destinations, -Method Push, FileCopy and EbsSnapshot; not allowed with an s3://, az:// or Azure Blob https:// -Destination (see -StagingPath).")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>DoltBackup (default) or Push.</summary>
        [Parameter(HelpMessage = "DoltBackup (default: dolt_backup remotes, complete), Push (dolt_push of every branch to -Remote; committed data only), FileCopy (the whole data dir, only while no Dolt process uses it) or EbsSnapshot (AWS EBS snapshots of the volumes holding -DataDir; safe while the server runs).")]
        [ValidateSet(nameof(BackupMethod.DoltBackup), nameof(BackupMethod.Push), nameof(BackupMethod.FileCopy), nameof(BackupMethod.EbsSnapshot))]
        public BackupMethod Method { get; set; } = BackupMethod.DoltBackup;

        /// <summary>The remote every branch is pushed to (-Method Push).</summary>
        [Parameter(HelpMessage = "The remote (already configured in each database) that -Method Push pushes every branch to.")]
        [ValidateNotNullOrEmpty]
        public string Remote { get; set; }

        /// <summary>With an s3://, az:// or Azure Blob https:// -Destination: the local folder on the server's host where Dolt's stores are staged.</summary>
        [Parameter(HelpMessage = "With an s3://, az:// or Azure Blob https:// -Destination: the folder on the Dolt server's host where each database's store is staged before upload (kept between runs); with -Method FileCopy, where manifest.json and the small files are (never the archive). Default: $HOME/.doltbackup/staging/<hash of the destination>.")]
        [ValidateNotNullOrEmpty]
        public string StagingPath { get; set; }

        /// <summary>How to reach an s3://, az:// or Azure Blob https:// -Destination (New-DoltBackupStorageContext); passed along the pipeline.</summary>
        [Parameter(HelpMessage = "Connection options for an s3://, az:// or Azure Blob https:// -Destination, from New-DoltBackupStorageContext; Sync-DoltBackup and Export-DoltGrants further down the pipeline use it too.")]
        public global::DoltBackup.Storage.StorageContext StorageContext { get; set; }

        /// <summary>Re-point a backup name that has another URL, and claim file:// stores that are unmarked or owned by another database.</summary>
        [Parameter(HelpMessage = "Re-point a backup name that has another URL, and claim file:// stores that are unmarked or marked for another database.")]
        public SwitchParameter Force { get; set; }

        /// <summary>Certificates (public key) every file of the set is encrypted to.</summary>
        [Parameter(HelpMessage = "Encrypt the set's files to these certificates (public key only; a certificate object or the path of a .cer/.crt/.pem file). Several: an operations key and an escrow key. The private key is needed only to restore.")]
        [CertificateTransformation]
        [ValidateNotNullOrEmpty]
        public System.Security.Cryptography.X509Certificates.X509Certificate2[] EncryptionCertificate { get; set; }

        /// <summary>A passphrase every file of the set is encrypted with.</summary>
        [Parameter(HelpMessage = "Encrypt the set's files with this passphrase (Read-Host -AsSecureString); PBKDF2-HMAC-SHA256 with 600,000 iterations. Each later write into the set needs it again.")]
        public System.Security.SecureString EncryptionPassphrase { get; set; }

        private global::DoltBackup.Encryption.EncryptionKeys _encryptionKeys;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            try
            {
                _encryptionKeys = global::DoltBackup.Encryption.SetEncryption.FromParameters(EncryptionCertificate, EncryptionPassphrase);
            }
            catch (ArgumentException e)
            {
                ThrowDoltError(e, "EncryptionRecipientInvalid", ErrorCategory.InvalidArgument, EncryptionCertificate, "Use RSA certificates of 2048 bits or more, or a non-empty passphrase.");
            }
            if (DiskBackupPlanner.Handles(Method))
            {
                NewDiskSet();
                return;
            }
            var request = new NewBackupRequest
            {
                Name = Name, Method = Method, Remote = Remote, Versioned = Versioned.IsPresent, Force = Force.IsPresent,
                Include = Database ?? Array.Empty<string>(), Exclude = ExcludeDatabase ?? Array.Empty<string>(), NowUtc = DateTime.UtcNow,
            };
            try
            {
                ValidateMethodParameters();
                if (IsStaged)
                {
                    // Dolt cannot write s3:// (without DynamoDB) nor Azure: it syncs into local file:// staging stores, uploaded by Sync-DoltBackup.
                    if (!string.IsNullOrEmpty(Path))
                    {
                        throw new ArgumentException("-Path does not go with an s3://, az:// or Azure Blob https:// -Destination: the set (manifest.json included) goes to -Destination, and its local staging folder is -StagingPath.");
                    }
                    global::DoltBackup.Storage.StorageLocation.Parse(Destination);
                    string root = !string.IsNullOrEmpty(StagingPath) ? ResolveUserPath(StagingPath)
                        : global::DoltBackup.Storage.Sets.StagedStores.DefaultRoot(Destination, global::DoltBackup.Storage.Sets.StagedStores.HomeDirectory());
                    request.BaseUrl = BackupUrls.ToFileUrl(root);
                    string objectStore = global::DoltBackup.Storage.Sets.StagedStores.Normalize(Destination);
                    WriteVerbose($"New-DoltBackup: Dolt's stores are staged in {root} on this host, then uploaded to {objectStore}.");
                }
                else if (!string.IsNullOrEmpty(StagingPath))
                {
                    throw new ArgumentException("-StagingPath goes with an s3://, az:// or Azure Blob https:// -Destination only.");
                }
                else if (Method == BackupMethod.DoltBackup)
                {
                    request.BaseUrl = BackupUrls.NormalizeBase(Destination, ResolveUserPath);
                    if (!BackupUrls.IsFile(request.BaseUrl) && string.IsNullOrEmpty(Path))
                    {
                        throw new ArgumentException($"-Path is required with a {BackupUrls.Scheme(request.BaseUrl)}:// destination: it is the local folder where manifest.json is kept.");
                    }
                }
                if (!string.IsNullOrEmpty(Path))
                {
                    request.BackupFolder = ResolveUserPath(Path);
                }
            }
            catch (ArgumentException e)
            {
                ThrowDoltError(e, "InvalidArgument", ErrorCategory.InvalidArgument, Destination ?? Remote, "Correct the parameters; see Get-Help New-DoltBackup -Full.");
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                ThrowTerminatingError(e.ToErrorRecord());
            }

            DoltEngineRequest engineRequest = null;
            try
            {
                engineRequest = BuildEngineRequest();
                request.Source = DescribeSource(engineRequest);
                EnsureOfflineAllowed(engineRequest);
            }
            catch (ArgumentException e)
            {
                ThrowDoltError(e, "InvalidArgument", ErrorCategory.InvalidArgument, DataDir ?? Server, "Correct the parameters; see Get-Help New-DoltBackup -Full.");
            }
            catch (System.IO.IOException e)
            {
                ThrowDoltError(e, "ConfigUnreadable", ErrorCategory.ReadError, ConfigPath, "Check -ConfigPath.");
            }
            catch (DoltBackupException e)
            {
                ThrowDoltError(e, "ConfigInvalid", ErrorCategory.InvalidData, ConfigPath, "Fix the sql-server config (Dolt would refuse it too), or connect with -Server and -Port.");
            }
            catch (DoltEngineException e)
            {
                ThrowTerminatingError(EngineError(e, DataDir));
            }

            if (request.BaseUrl != null && BackupUrls.IsFile(request.BaseUrl) && !engineRequest.IsOffline && !IsLocalHost(engineRequest.Server.Host))
            {
                WriteWarning($"file:// URLs are paths on the Dolt server's machine ({engineRequest.Server.Host}), while manifest.json and the ownership markers are written on this machine. " +
                             "Use a folder that both machines see at the same path (a shared mount), or run DoltBackup on the server.");
            }

            using (var engine = DoltEngineFactory.Create(engineRequest))
            {
                WriteVerbose($"New-DoltBackup: planning backup '{Name}' of {engine.Description}.");
                var service = new BackupRegistrationService(engine);
                BackupPlan plan = null;
                try
                {
                    plan = service.PlanAsync(request, StopToken).GetAwaiter().GetResult();
                }
                catch (DoltEngineException e)
                {
                    ThrowTerminatingError(EngineError(e, engine.Description));
                }
                catch (ArgumentException e)
                {
                    ThrowDoltError(e, "InvalidArgument", ErrorCategory.InvalidArgument, Name, "Correct the parameters; see Get-Help New-DoltBackup -Full.");
                }
                try
                {
                    plan.Manifest.Source.DoltVersion = engine.GetDoltVersionAsync(StopToken).GetAwaiter().GetResult();
                }
                catch (DoltEngineException e) when (e.Kind != DoltErrorKind.Cancelled)
                {
                    WriteVerbose("The Dolt version could not be read: " + e.Message);
                }
                Apply(service, plan, engineRequest);
            }
        }

        /// <summary>
        /// FileCopy and EbsSnapshot work on the data directory's files, not through Dolt: the databases are found on disk
        /// (no dolt binary, and for EBS a running server is fine), and the set gets its own folder under -Path.
        /// </summary>
        private void NewDiskSet()
        {
            BackupManifest manifest = null;
            try
            {
                // FileCopy off the host: -Destination is the object-store backup root, each set goes to <Destination>/<id>,
                // its archive streamed there; only manifest.json and the small artifacts are written in the staging folder.
                bool offHost = Method == BackupMethod.FileCopy && global::DoltBackup.Storage.Sets.StagedStores.IsStagedDestination(Destination);
                if ((!string.IsNullOrEmpty(Destination) && !offHost) || !string.IsNullOrEmpty(Remote) || Versioned.IsPresent || !string.IsNullOrEmpty(Server))
                {
                    throw new ArgumentException($"-Method {Method} copies or snapshots -DataDir into -Path (FileCopy: or into an s3:// or az:// -Destination); -Remote, -Versioned and -Server belong to the DoltBackup and Push methods.");
                }
                if (offHost && !string.IsNullOrEmpty(Path))
                {
                    throw new ArgumentException("-Path does not go with an s3:// or az:// -Destination: the set (archive and manifest.json) goes to <Destination>/<id>, and its local staging folder (manifest.json and the small files only) is -StagingPath.");
                }
                if (!offHost && !string.IsNullOrEmpty(StagingPath))
                {
                    throw new ArgumentException("-StagingPath goes with an s3:// or az:// -Destination only.");
                }
                string backupRoot = Path;
                if (offHost)
                {
                    global::DoltBackup.Storage.StorageLocation.Parse(Destination);
                    backupRoot = !string.IsNullOrEmpty(StagingPath) ? StagingPath
                        : global::DoltBackup.Storage.Sets.StagedStores.DefaultRoot(Destination, global::DoltBackup.Storage.Sets.StagedStores.HomeDirectory());
                }
                string dataDir = DataDir;
                if (string.IsNullOrEmpty(dataDir) && !string.IsNullOrEmpty(ConfigPath))
                {
                    dataDir = LoadServerConfig(ConfigPath).DataDir;
                }
                manifest = DiskBackupPlanner.Plan(Method, Name, dataDir == null ? null : ResolveUserPath(dataDir), ConfigPath == null ? null : ResolveUserPath(ConfigPath),
                    backupRoot == null ? null : ResolveUserPath(backupRoot), Database, ExcludeDatabase, DateTime.UtcNow);
                if (offHost)
                {
                    manifest.Destination.ObjectStoreUrl = global::DoltBackup.Storage.Sets.StagedStores.Normalize(Destination) + "/" + manifest.Id;
                    manifest.SessionStorageContext = StorageContext;
                    WriteVerbose($"New-DoltBackup: the archive of {manifest.Id} is streamed to {manifest.Destination.ObjectStoreUrl}; manifest.json and the small files are staged in {manifest.BackupFolder}.");
                }
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                ThrowTerminatingError(e.ToErrorRecord());
            }
            catch (ArgumentException e)
            {
                ThrowDoltError(e, "InvalidArgument", ErrorCategory.InvalidArgument, DataDir ?? Path, "Correct the parameters; see Get-Help New-DoltBackup -Full.");
            }
            catch (System.IO.DirectoryNotFoundException e)
            {
                ThrowDoltError(e, "DataDirNotFound", ErrorCategory.ObjectNotFound, DataDir, "Give the Dolt data directory (the sql-server's data_dir).");
            }
            catch (Exception e) when (e is System.IO.IOException || e is DoltBackupException)
            {
                ThrowDoltError(e, "ConfigInvalid", ErrorCategory.InvalidData, ConfigPath, "Fix -ConfigPath, or give -DataDir.");
            }
            if (!ShouldProcess(manifest.BackupFolder, $"Create backup set {manifest.Id} ({Method} of {manifest.Databases.Count} databases in {manifest.Source.DataDir})"))
            {
                return;
            }
            RecordEncryption(manifest);
            try
            {
                ManifestStore.Write(manifest);
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                ThrowDoltError(e, "ManifestWriteFailed", ErrorCategory.WriteError, manifest.BackupFolder, "Make -Path writable.");
            }
            WriteObject(manifest);
        }

        private bool IsStaged => Method == BackupMethod.DoltBackup && global::DoltBackup.Storage.Sets.StagedStores.IsStagedDestination(Destination);

        /// <summary>Records the recipients (never a key); one warning when Dolt writes stores DoltBackup cannot encrypt.</summary>
        private void RecordEncryption(BackupManifest manifest)
        {
            if (_encryptionKeys == null)
            {
                return;
            }
            bool doltStores = manifest.Method != BackupMethod.FileCopy;
            // Stores staged here for s3:// / az:// are uploaded by DoltBackup, encrypted like every other file of the set.
            string stagedRoot = IsStaged ? global::DoltBackup.Storage.Sets.StagedStores.Normalize(Destination) : null;
            global::DoltBackup.Encryption.SetEncryption.Record(manifest, _encryptionKeys, doltStores, stagedRoot);
            WriteVerbose($"The set's files are encrypted to: {manifest.Encryption}" + (stagedRoot != null ? "; its Dolt stores too, as they are uploaded." : "."));
            if (doltStores && stagedRoot == null)
            {
                WriteWarning(global::DoltBackup.Encryption.SetEncryption.DoltStoresNote);
            }
        }

        private static bool IsLocalHost(string host)
            => string.IsNullOrEmpty(host) || host == "localhost" || host == "::1" || host.StartsWith("127.", StringComparison.Ordinal)
               || string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase);

        private void ValidateMethodParameters()
        {
            if (Method == BackupMethod.DoltBackup)
            {
                if (string.IsNullOrEmpty(Destination))
                {
                    throw new ArgumentException("-Destination is required: the base URL (or local folder) under which each database gets its own backup URL.");
                }
                if (!string.IsNullOrEmpty(Remote))
                {
                    throw new ArgumentException("-Remote belongs to -Method Push; -Method DoltBackup writes to -Destination.");
                }
                return;
            }
            if (string.IsNullOrEmpty(Remote))
            {
                throw new ArgumentException("-Method Push needs -Remote: the name of the remote (configured in each database) to push every branch to.");
            }
            if (!string.IsNullOrEmpty(Destination) || Versioned.IsPresent)
            {
                throw new ArgumentException("-Method Push pushes to -Remote; -Destination and -Versioned belong to -Method DoltBackup.");
            }
            if (string.IsNullOrEmpty(Path))
            {
                throw new ArgumentException("-Method Push needs -Path: the local folder where manifest.json is kept.");
            }
        }

        private void Apply(BackupRegistrationService service, BackupPlan plan, DoltEngineRequest engineRequest)
        {
            var manifest = plan.Manifest;
            foreach (var missing in plan.MissingDatabases)
            {
                WriteError(DoltBackupErrors.Create($"The server has no database named '{missing}'.", "DatabaseNotFound", ErrorCategory.ObjectNotFound, missing,
                    "Check -Database: SHOW DATABASES lists what the server has."));
            }
            foreach (var w in plan.Warnings)
            {
                WriteWarning(w);
            }
            if (plan.Databases.Count == 0)
            {
                WriteError(DoltBackupErrors.Create("No database was selected: nothing to back up.", "NoDatabases", ErrorCategory.ObjectNotFound, Name,
                    "Check -Database and -ExcludeDatabase, and that the account can see the databases (SHOW DATABASES)."));
                return;
            }
            if (BackupSetLock.IsHeld(manifest.BackupFolder))
            {
                ThrowDoltError(new DoltBackupException($"A sync of the backup set in '{manifest.BackupFolder}' is running."), "BackupSetBusy", ErrorCategory.ResourceBusy,
                    manifest.BackupFolder, "Wait for Sync-DoltBackup to finish, then run New-DoltBackup again.");
            }

            string existingPath = System.IO.Path.Combine(manifest.BackupFolder, BackupManifest.FileName);
            if (System.IO.File.Exists(existingPath) && !Force.IsPresent)
            {
                BackupManifest existing = null;
                try
                {
                    existing = ManifestStore.Read(existingPath);
                }
                catch (ManifestSchemaException)
                {
                }
                if (existing == null || existing.Name != manifest.Name || existing.Method != manifest.Method)
                {
                    ThrowDoltError(new DoltBackupException($"The backup folder '{manifest.BackupFolder}' already holds the manifest of another backup set ({existing?.ToString() ?? "unreadable"}); writing this set's manifest there would replace it."),
                        "BackupFolderInUse", ErrorCategory.ResourceExists, manifest.BackupFolder, "Give another -Path (or -Destination), or -Force to replace that manifest.");
                }
            }

            var included = new List<DatabaseBackupItem>();
            var claims = new BackupRegistrationService.MarkerClaims();
            IReadOnlyList<(PlannedDatabase Planned, DoltEngineException Error)> claimFailures = null;
            bool changedAnything = false;
            int index = 0;
            var progress = new ProgressRecord(1, "New-DoltBackup " + manifest.Id, "Registering");
            try
            {
                foreach (var p in plan.Databases)
                {
                    progress.StatusDescription = $"{p.Item.Name} ({index + 1} of {plan.Databases.Count})";
                    progress.PercentComplete = index * 100 / plan.Databases.Count;
                    WriteProgress(progress);
                    index++;
                    if (p.Problem != null)
                    {
                        WriteError(EngineError(p.Problem, p.Item.Name));
                        manifest.AddWarning($"Database '{p.Item.Name}' is not part of this backup set: {p.Problem.Message}");
                        continue;
                    }
                    if (!ShouldProcess($"database '{p.Item.Name}' on {engineRequest}", p.Description))
                    {
                        continue;
                    }
                    try
                    {
                        service.ApplyAsync(p, claims, StopToken).GetAwaiter().GetResult();
                        changedAnything = true;
                        included.Add(p.Item);
                        WriteVerbose($"{p.Item.Name}: {p.Description}.");
                    }
                    catch (DoltEngineException e)
                    {
                        if (e.IsConnectionLevel)
                        {
                            ThrowTerminatingError(EngineError(e, p.Item.Name));
                        }
                        WriteError(EngineError(e, p.Item.Name));
                        manifest.AddWarning($"Database '{p.Item.Name}' is not part of this backup set: {e.Message}");
                    }
                }
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                progress.PercentComplete = 100;
                WriteProgress(progress);
                // The ownership markers were written in the background: every one is on disk (or failed) before the manifest.
                claimFailures = claims.Finish();
            }
            foreach (var (p, e) in claimFailures)
            {
                included.Remove(p.Item);
                WriteError(EngineError(e, p.Item.Name));
                manifest.AddWarning($"Database '{p.Item.Name}' is not part of this backup set: {e.Message}");
            }

            manifest.Databases = included;
            if (IsStaged)
            {
                global::DoltBackup.Storage.Sets.StagedStores.Annotate(manifest, Destination);
                manifest.SessionStorageContext = StorageContext;
            }
            if (included.Count == 0 && !changedAnything)
            {
                return; // -WhatIf, declined, or nothing could be registered: no manifest.
            }
            if (!ShouldProcess(manifest.BackupFolder, "Write " + BackupManifest.FileName))
            {
                return;
            }
            foreach (var w in manifest.Warnings.Where(w => !w.StartsWith("Database '", StringComparison.Ordinal)))
            {
                WriteWarning(w);
            }
            RecordEncryption(manifest);
            try
            {
                ManifestStore.Write(manifest);
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                ThrowDoltError(e, "ManifestWriteFailed", ErrorCategory.WriteError, manifest.BackupFolder, "Make the backup folder writable, or give another -Path.");
            }
            manifest.SessionConnection = engineRequest.Server?.Clone();
            manifest.SessionDoltPath = engineRequest.DoltPath;
            WriteObject(manifest);
        }
    }
}
