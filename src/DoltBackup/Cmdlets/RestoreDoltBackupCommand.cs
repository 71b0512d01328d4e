using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Common;
using DoltBackup.Engine;
using DoltBackup.Locking;
using DoltBackup.Manifest;
using DoltBackup.Restore;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Restores the databases of a backup set (and, when asked, its configuration and grants) and proves the result against the manifest.</para>
    /// <para type="description">Takes backup manifests from the pipeline, from -Path, or a single -Url with -Name. Each
    /// database is restored through a running server with dolt_backup('restore', ...) (the server sees it at once), or
    /// with -DataDir into an offline data directory through the dolt CLI; then every branch head, tag and dolt_hashof_db()
    /// is compared with the manifest and the database is reported Verified or Mismatch. An existing database is refused
    /// unless -Force. -ConfigRoot / -IncludeConfig put configuration files back, SHA-256 checked; -IncludeGrants replays
    /// the grants script. An EbsSnapshot set becomes one new EBS volume per snapshot (EbsSetRestore), optionally attached
    /// to -InstanceId at -Device; the EBS parameters apply to such sets only.</para>
    /// </summary>
    [Cmdlet(VerbsData.Restore, "DoltBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(DatabaseRestoreResult), typeof(ArtifactGroupRestoreResult), typeof(DoltBackup.Ebs.RestoredVolume), typeof(DoltBackup.Restore.PointInTime.PointInTimeRestoreResult))]
    public sealed partial class RestoreDoltBackupCommand : DoltEngineCmdlet, IRestoreObserver, IDisposable
    {
        private const string InputObjectSet = "InputObject";
        private const string PathSet = "Path";
        private const string UrlSet = "Url";

        /// <summary>A backup manifest (from Get-DoltBackup, New-DoltBackup or Sync-DoltBackup).</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true, Position = 0, HelpMessage = "A backup manifest from Get-DoltBackup or Sync-DoltBackup.")]
        [Parameter(Mandatory = true, ParameterSetName = AsOfInputObjectSet, ValueFromPipeline = true, HelpMessage = "Backup sets (from Get-DoltBackup) to choose the set for the moment from.")]
        [Parameter(Mandatory = true, ParameterSetName = AsOfCommitInputObjectSet, ValueFromPipeline = true, HelpMessage = "Backup sets (from Get-DoltBackup) to choose the set for the commit from.")]
        [ValidateNotNull]
        public BackupManifest InputObject { get; set; }

        /// <summary>Backup folders, or paths of manifest.json files.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Backup folders, or paths of manifest.json files.")]
        [Parameter(Mandatory = true, ParameterSetName = AsOfPathSet, Position = 0, HelpMessage = "With -AsOf: backup roots (folders of set folders), set folders or manifest.json paths to choose from.")]
        [Parameter(Mandatory = true, ParameterSetName = AsOfCommitPathSet, Position = 0, HelpMessage = "With -AsOfCommit: backup roots (folders of set folders), set folders or manifest.json paths to choose from.")]
        [Alias("FullName", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>A single backup URL to restore (no manifest: the result is not verified).</summary>
        [Parameter(Mandatory = true, ParameterSetName = UrlSet, HelpMessage = "A backup URL (file://, aws://, gs://, https://...) to restore one database from.")]
        [ValidateNotNullOrEmpty]
        public string Url { get; set; }

        /// <summary>With -Url: the name of the database to create.</summary>
        [Parameter(Mandatory = true, ParameterSetName = UrlSet, HelpMessage = "With -Url: the name of the database to create.")]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        /// <summary>Only these databases of the backup (wildcards).</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "Only these databases of the backup (wildcards).")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Only these databases of the backup (wildcards).")]
        [Parameter(ParameterSetName = AsOfPathSet, HelpMessage = "Only these databases of the backup (wildcards).")]
        [Parameter(ParameterSetName = AsOfInputObjectSet, HelpMessage = "Only these databases of the backup (wildcards).")]
        [Parameter(ParameterSetName = AsOfCommitPathSet, HelpMessage = "Only these databases of the backup (wildcards).")]
        [Parameter(ParameterSetName = AsOfCommitInputObjectSet, HelpMessage = "Only these databases of the backup (wildcards).")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Database { get; set; }

        /// <summary>Restore the single selected database under this name.</summary>
        [Parameter(HelpMessage = "Restore the single selected database under this name (beside the original).")]
        [ValidateNotNullOrEmpty]
        public string NewName { get; set; }

        /// <summary>Restore every selected database as prefix + name.</summary>
        [Parameter(HelpMessage = "Restore every selected database as <prefix><name> (beside the originals, for test restores).")]
        [ValidateNotNullOrEmpty]
        public string Prefix { get; set; }

        /// <summary>Replace existing databases and files, without prompting.</summary>
        [Parameter(HelpMessage = "Replace existing databases (Dolt moves a Dolt database to .dolt_dropped_databases/ and deletes a plain directory) and differing configuration files; does not prompt.")]
        public SwitchParameter Force { get; set; }

        /// <summary>Restore the configuration files to their original paths (or under -ConfigRoot).</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "Restore the backup's configuration files to their original paths (or under -ConfigRoot).")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Restore the backup's configuration files to their original paths (or under -ConfigRoot).")]
        public SwitchParameter IncludeConfig { get; set; }

        /// <summary>Restore the configuration files under this root instead of their original paths.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "Restore the configuration files under this directory (/etc/dolt/config.yaml becomes <root>/etc/dolt/config.yaml).")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Restore the configuration files under this directory (/etc/dolt/config.yaml becomes <root>/etc/dolt/config.yaml).")]
        [ValidateNotNullOrEmpty]
        public string ConfigRoot { get; set; }

        /// <summary>Replay the backup's grants script against the target server.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "Replay the backup's grants script (users, grants, roles, branch control) against the target server.")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Replay the backup's grants script (users, grants, roles, branch control) against the target server.")]
        public SwitchParameter IncludeGrants { get; set; }

        /// <summary>EbsSnapshot sets: the availability zone of the new volumes.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "EbsSnapshot sets only: the availability zone of the new volumes (default: the zone of -InstanceId, else the zone the backup was taken in).")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "EbsSnapshot sets only: the availability zone of the new volumes (default: the zone of -InstanceId, else the zone the backup was taken in).")]
        [ValidateNotNullOrEmpty]
        public string AvailabilityZone { get; set; }

        /// <summary>EbsSnapshot sets: attach the new volumes to this instance.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "EbsSnapshot sets only: attach the new volumes to this EC2 instance (give one -Device per snapshot).")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "EbsSnapshot sets only: attach the new volumes to this EC2 instance (give one -Device per snapshot).")]
        [ValidatePattern("^i-[0-9a-f]{8,17}$")]
        public string InstanceId { get; set; }

        /// <summary>EbsSnapshot sets: one device name per snapshot, in the order of the manifest's Snapshots.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "EbsSnapshot sets only, with -InstanceId: one device name per snapshot, in the order of the manifest's Snapshots (for example /dev/sdf, /dev/sdg).")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "EbsSnapshot sets only, with -InstanceId: one device name per snapshot, in the order of the manifest's Snapshots (for example /dev/sdf, /dev/sdg).")]
        [ValidateNotNullOrEmpty]
        public string[] Device { get; set; }

        /// <summary>EbsSnapshot sets: extra tags for the new volumes.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "EbsSnapshot sets only: extra tags for the new volumes, as a hashtable (@{ Purpose = 'restore-test' }); Name, the backup id and the source volume are always set.")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "EbsSnapshot sets only: extra tags for the new volumes, as a hashtable (@{ Purpose = 'restore-test' }); Name, the backup id and the source volume are always set.")]
        public System.Collections.Hashtable Tag { get; set; }

        /// <summary>EbsSnapshot sets: the volume type of the new volumes.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "EbsSnapshot sets only: the EBS volume type of the new volumes (gp3, gp2, io2, ...); default: EC2's default.")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "EbsSnapshot sets only: the EBS volume type of the new volumes (gp3, gp2, io2, ...); default: EC2's default.")]
        [ValidateSet("gp2", "gp3", "io1", "io2", "st1", "sc1", "standard")]
        public string VolumeType { get; set; }

        /// <summary>EbsSnapshot sets: the AWS region.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "EbsSnapshot sets only: the AWS region of the snapshots (default: AWS_REGION, the profile's region, or the instance's).")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "EbsSnapshot sets only: the AWS region of the snapshots (default: AWS_REGION, the profile's region, or the instance's).")]
        [ValidateNotNullOrEmpty]
        public string Region { get; set; }

        /// <summary>EbsSnapshot sets: the AWS profile.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "EbsSnapshot sets only: the AWS profile (shared credentials/config files) to use; default: the SDK's credential chain. (-Credential is the Dolt server login, never AWS.)")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "EbsSnapshot sets only: the AWS profile (shared credentials/config files) to use; default: the SDK's credential chain. (-Credential is the Dolt server login, never AWS.)")]
        [ValidateNotNullOrEmpty]
        public string ProfileName { get; set; }

        /// <summary>EbsSnapshot sets: a custom EC2 endpoint URL.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "EbsSnapshot sets only: the EC2 endpoint URL (a VPC endpoint, for example); default: the region's.")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "EbsSnapshot sets only: the EC2 endpoint URL (a VPC endpoint, for example); default: the region's.")]
        [ValidateNotNullOrEmpty]
        public string EndpointUrl { get; set; }

        private IRestoreEngine _engine;
        private DoltEngineRequest _request;
        private bool _engineFailed;
        private string _activity = "Restore-DoltBackup";

        /// <summary>Certificates with their private keys that open an encrypted set.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "Encrypted sets: certificates with their private keys (Get-PfxCertificate, or Cert:\\CurrentUser\\My\\<thumbprint>) that open the set; every file is decrypted and authenticated before anything is written.")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Encrypted sets: certificates with their private keys (Get-PfxCertificate, or Cert:\\CurrentUser\\My\\<thumbprint>) that open the set; every file is decrypted and authenticated before anything is written.")]
        [CertificateTransformation]
        public System.Security.Cryptography.X509Certificates.X509Certificate2[] DecryptionCertificate { get; set; }

        /// <summary>The passphrase of an encrypted set.</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "Encrypted sets: the set's passphrase (Read-Host -AsSecureString).")]
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Encrypted sets: the set's passphrase (Read-Host -AsSecureString).")]
        public System.Security.SecureString Passphrase { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case AsOfPathSet:
                case AsOfInputObjectSet:
                case AsOfCommitPathSet:
                case AsOfCommitInputObjectSet:
                    CollectPointInTimeSets();
                    break;
                case InputObjectSet:
                    string readFrom = ReadLocationOf(InputObject);
                    var fromStore = Staged(readFrom, StorageContext ?? InputObject.SessionStorageContext);
                    if (fromStore != null || !global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(readFrom))
                    {
                        RestoreManifest(fromStore?.Manifest ?? InputObject);
                    }
                    break;
                case PathSet:
                    foreach (string p in Path)
                    {
                        string setLocation = ReadLocationOf(p, out var local); // a local set's manifest.json is read once
                        var manifest = local ?? ReadManifest(setLocation);
                        if (manifest != null)
                        {
                            RestoreManifest(manifest);
                        }
                    }
                    break;
                default:
                    RestoreUrl();
                    break;
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (IsPointInTime)
            {
                RunPointInTime();
            }
            Dispose();
        }

        /// <summary>
        /// Also called by PowerShell when the pipeline ends another way (Ctrl+C, a terminating error, -ErrorAction
        /// Stop): the engine is closed and the owner-only folders the object-store sets were fetched into are deleted.
        /// </summary>
        public void Dispose()
        {
            DisposeEngine();
            _staged.ForEach(s => s.Dispose());
            _staged.Clear();
        }

        /// <summary>Sets fetched from object stores, deleted when the cmdlet ends.</summary>
        private readonly System.Collections.Generic.List<global::DoltBackup.Storage.Sets.StagedBackupSet> _staged = new System.Collections.Generic.List<global::DoltBackup.Storage.Sets.StagedBackupSet>();

        /// <summary>How to reach an object-store set (New-DoltBackupStorageContext); without it the default credential chain.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = InputObjectSet, HelpMessage = "Connection options for an s3://, az:// or Azure Blob https:// backup set, from New-DoltBackupStorageContext. A piped manifest passes along the one it was read or made with (Get-DoltBackup, New-DoltBackup, Sync-DoltBackup -StorageContext); one given here wins.")]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet, HelpMessage = "Connection options for an s3://, az:// or Azure Blob https:// backup set, from New-DoltBackupStorageContext. A piped manifest passes along the one it was read or made with (Get-DoltBackup, New-DoltBackup, Sync-DoltBackup -StorageContext); one given here wins.")]
        public global::DoltBackup.Storage.StorageContext StorageContext { get; set; }

        /// <summary>An object-store set fetched (every recorded object checked) before anything is written; null for a folder or after an error.</summary>
        private global::DoltBackup.Storage.Sets.StagedBackupSet Staged(string pathOrUrl, global::DoltBackup.Storage.StorageContext context = null)
        {
            try
            {
                var staged = StageIfRemote(pathOrUrl, context ?? StorageContext, DecryptionCertificate, Passphrase, streamFileCopyData: true);
                if (staged != null)
                {
                    _staged.Add(staged);
                }
                return staged;
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                WriteError(e.ToErrorRecord());
                return null;
            }
        }

        private BackupManifest ReadManifest(string path)
        {
            if (global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(path))
            {
                return Staged(path)?.Manifest;
            }
            try
            {
                return ManifestStore.Read(ResolveUserPath(path));
            }
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
            {
                WriteDoltError(e, "ManifestNotFound", ErrorCategory.ObjectNotFound, path, "Give a backup folder that holds manifest.json, or the path of a manifest.json.");
            }
            catch (ManifestSchemaException e)
            {
                WriteDoltError(e, "ManifestUnreadable", ErrorCategory.InvalidData, path,
                    "Use a manifest written by DoltBackup, or update the module when the manifest is newer than it.");
            }
            catch (UnauthorizedAccessException e)
            {
                WriteDoltError(e, "ManifestAccessDenied", ErrorCategory.PermissionDenied, path, "Run as a user that can read the backup folder.");
            }
            return null;
        }

        private RestoreOptions BuildOptions() => new RestoreOptions
        {
            DatabasePatterns = Database,
            NewName = NewName,
            Prefix = Prefix,
            Force = Force.IsPresent,
            IncludeConfig = IncludeConfig.IsPresent,
            ConfigRoot = string.IsNullOrEmpty(ConfigRoot) ? null : ResolveUserPath(ConfigRoot),
            IncludeGrants = IncludeGrants.IsPresent,
            DataDir = LocalDataDir(),
        };

        /// <summary>
        /// The data directory whose entries the planner checks for names in the way: -DataDir offline, or the data_dir of
        /// -ConfigPath when it exists here (a plain directory there makes Dolt refuse, or with -Force delete it).
        /// </summary>
        private string LocalDataDir()
        {
            if (_request?.IsOffline == true)
            {
                return _request.DataDir;
            }
            string configured = ServerConfig?.DataDir;
            return !string.IsNullOrEmpty(configured) && Directory.Exists(configured) ? configured : null;
        }

        private void RestoreManifest(BackupManifest manifest)
        {
            if (manifest.SchemaVersion > BackupManifest.CurrentSchemaVersion)
            {
                WriteDoltError(new ManifestSchemaException(manifest.ManifestPath,
                        $"The manifest '{manifest.Id}' has schemaVersion {manifest.SchemaVersion}, but this DoltBackup {ModuleInfo.Version} reads up to {BackupManifest.CurrentSchemaVersion}."),
                    "ManifestUnreadable", ErrorCategory.InvalidData, manifest, "Update the module (Update-Module DoltBackup) to restore it.");
                return;
            }
            _activity = "Restore-DoltBackup " + (manifest.Id ?? manifest.Name);
            if (manifest.Encryption != null)
            {
                try
                {
                    manifest.SessionDecryptionKeys = global::DoltBackup.Encryption.SetEncryption.ForReading(manifest, DecryptionCertificate, Passphrase);
                }
                catch (global::DoltBackup.Encryption.EncryptionException e)
                {
                    WriteDoltError(e, global::DoltBackup.Encryption.SetEncryption.KeyRequiredErrorId, ErrorCategory.SecurityError, manifest,
                        "Give -DecryptionCertificate (a certificate with its private key) or -Passphrase; nothing was restored.");
                    return;
                }
            }
            if (manifest.Method == BackupMethod.EbsSnapshot)
            {
                RestoreEbs(manifest);
                return;
            }
            if (EbsOnlyParametersGiven().Count > 0)
            {
                WriteError(DoltBackupErrors.Create($"{string.Join(", ", EbsOnlyParametersGiven())} only apply to EbsSnapshot backup sets; '{manifest.Id}' was made with method {manifest.Method}.",
                    "EbsParameterNotApplicable", ErrorCategory.InvalidArgument, manifest, "Leave the EBS parameters out for this set; nothing was restored."));
                return;
            }
            Run(manifest, null, null);
        }

        private void RestoreUrl()
        {
            _activity = "Restore-DoltBackup " + Url;
            Run(null, Url, Name);
        }

        private void Run(BackupManifest manifest, string url, string name)
        {
            try
            {
                RestorePlanner.ValidateOptions(BuildOptions());
            }
            catch (ArgumentException e)
            {
                ThrowDoltError(e, "InvalidRestoreRequest", ErrorCategory.InvalidArgument, (object)manifest ?? url, "Correct the parameters; nothing was restored.");
            }
            bool fileCopy = manifest != null && manifest.Method == BackupMethod.FileCopy;
            if (!EnsureEngine(dataDirMayBeMissing: fileCopy))
            {
                return;
            }
            var options = BuildOptions();
            IReadOnlyList<string> existing = new string[0];
            try
            {
                // A FileCopy backup replaces a whole data directory: there are no databases to look up by name.
                if (!fileCopy)
                {
                    existing = _engine.ListDatabasesAsync(StopToken).GetAwaiter().GetResult();
                }
            }
            catch (RestoreEngineException e)
            {
                WriteError(DoltBackupErrors.Create(e, e.ErrorId, e.Category, _engine.Description, e.RecommendedAction));
                return;
            }
            catch (Exception e) when (!(e is PipelineStoppedException) && !(e is OperationCanceledException))
            {
                WriteDoltError(e, "ListDatabasesFailed", ErrorCategory.ConnectionError, _engine.Description,
                    "Check that the target server (or data directory) is reachable and that the account may list databases; nothing was restored.");
                return;
            }

            RestorePlan plan;
            try
            {
                var planner = new RestorePlanner(existing, options.DataDir);
                plan = manifest != null ? planner.Plan(manifest, options) : planner.PlanUrl(url, name, options);
            }
            catch (ArgumentException e)
            {
                WriteDoltError(e, "InvalidRestoreRequest", ErrorCategory.InvalidArgument, (object)manifest ?? url, "Correct the parameters; nothing was restored.");
                return;
            }

            WriteVerbose($"Restoring '{plan.BackupId}' into {_engine.Description}: {plan.Databases.Count} database(s), {plan.ConfigArtifacts.Count} configuration file(s), grants: {(plan.GrantsScript != null ? "yes" : "no")}.");
            var grants = plan.GrantsScript != null && _request.Server != null ? new GrantsRunnerReplayer(_request.Server) : null;
            var config = plan.ConfigArtifacts.Count > 0 ? new CaptureConfigArtifactRestorer() : null;
            // An object-store FileCopy set: its archive (or tree) is streamed from there, checked and unpacked in one pass.
            var staged = plan.FileCopyTarget != null ? _staged.FirstOrDefault(s => ReferenceEquals(s.Manifest, manifest)) : null;
            var files = plan.FileCopyTarget != null ? StreamedFileCopyRestorer(staged) : null;
            try
            {
                new RestoreOrchestrator(_engine, config, grants, this, files).Execute(plan, options, StopToken);
            }
            finally
            {
                EndStreamedDownload(staged);
            }
        }

        /// <summary>What a refused target (-DataDir with -Server, a bad -Server or -ConfigPath) is reported against.</summary>
        private object TargetParameters => (object)DataDir ?? Server ?? ConfigPath;

        private List<string> EbsOnlyParametersGiven()
            => new[] { nameof(AvailabilityZone), nameof(InstanceId), nameof(Device), nameof(Tag), nameof(VolumeType) }
                .Where(MyInvocation.BoundParameters.ContainsKey).Select(n => "-" + n).ToList();

        private List<string> DatabaseOnlyParametersGiven()
            => new[] { nameof(Database), nameof(NewName), nameof(Prefix), nameof(IncludeConfig), nameof(ConfigRoot), nameof(IncludeGrants), nameof(DataDir) }
                .Where(MyInvocation.BoundParameters.ContainsKey).Select(n => "-" + n).ToList();

        /// <summary>An EbsSnapshot set: new volumes from its snapshots (the work is in <see cref="EbsSetRestore"/>).</summary>
        private void RestoreEbs(BackupManifest manifest)
        {
            var misplaced = DatabaseOnlyParametersGiven();
            if (misplaced.Count > 0)
            {
                WriteError(DoltBackupErrors.Create($"{string.Join(", ", misplaced)} do not apply to the EbsSnapshot backup set '{manifest.Id}': it is restored as whole volumes.",
                    "EbsParameterNotApplicable", ErrorCategory.InvalidArgument, manifest,
                    "Leave those parameters out; restore the volumes, mount them (see Get-Help Restore-DoltBackup -Full) and point a Dolt server at the data directory."));
                return;
            }
            var request = new EbsSetRestoreRequest
            {
                Region = Region,
                ProfileName = ProfileName,
                EndpointUrl = EndpointUrl,
                AvailabilityZone = AvailabilityZone,
                InstanceId = InstanceId,
                Devices = Device,
                VolumeType = VolumeType,
                Tags = Tag,
            };
            int activity = 2;
            new EbsSetRestore().Restore(manifest, request, new EbsRestoreCallbacks
            {
                ShouldProcess = (target, action) => ((IRestoreObserver)this).ShouldProcess(target, action),
                Progress = p => WriteProgress(p.ToProgressRecord(activity)),
                Verbose = WriteVerbose,
                Result = WriteObject,
                Error = WriteError,
            }, StopToken);
        }

        private bool EnsureEngine(bool dataDirMayBeMissing)
        {
            if (_engine != null)
            {
                return true;
            }
            if (_engineFailed)
            {
                return false;
            }
            try
            {
                _request = BuildEngineRequest();
                if (_request.IsOffline && !(dataDirMayBeMissing && !Directory.Exists(_request.DataDir)))
                {
                    EnsureOfflineTarget(_request.DataDir);
                }
                var engine = DoltEngineFactory.Create(_request);
                if (_request.IsOffline && !dataDirMayBeMissing)
                {
                    // `dolt backup restore` needs a commit identity: check it before the first database, say what is done without one.
                    string notice = CommitIdentityCheck.NoticeFor(engine, StopToken);
                    if (notice != null)
                    {
                        WriteWarning(notice);
                    }
                }
                _engine = new DoltEngineRestoreEngine(engine);
                return true;
            }
            catch (ArgumentException e)
            {
                _engineFailed = true;
                ThrowDoltError(e, "InvalidRestoreRequest", ErrorCategory.InvalidArgument, TargetParameters, "Correct the parameters; nothing was restored.");
            }
            catch (DoltEngineException e)
            {
                _engineFailed = true;
                ThrowTerminatingError(EngineError(e, DataDir ?? Server));
            }
            return false;
        }

        /// <summary>
        /// A CLI restore beside a running server stays invisible to that server (dolt-reference §1, issues #7993, #10136):
        /// refuse -DataDir while a Dolt process uses the directory, and point to the server parameters.
        /// </summary>
        private static void EnsureOfflineTarget(string dataDir)
            => OfflineDataDirGuard.EnsureNotInUse(dataDir, "Restore", "a database restored beside a running server stays invisible to it");

        private void DisposeEngine()
        {
            _engine?.Dispose();
            _engine = null;
        }

        private bool WhatIfRequested
        {
            get
            {
                if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object w))
                {
                    return LanguagePrimitives.IsTrue(w);
                }
                return LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
            }
        }

        private bool ConfirmRequested => MyInvocation.BoundParameters.TryGetValue("Confirm", out object c) && LanguagePrimitives.IsTrue(c);

        bool IRestoreObserver.ShouldProcess(string target, string action)
        {
            if (Force && !WhatIfRequested && !ConfirmRequested)
            {
                WriteVerbose(action + ".");
                return true;
            }
            return ShouldProcess(action + ".", action + "?", "Restore-DoltBackup: " + target);
        }

        void IRestoreObserver.Progress(int done, int total, string status)
        {
            var record = new ProgressRecord(1, _activity, status ?? "Done")
            {
                PercentComplete = total == 0 ? 100 : Math.Min(100, done * 100 / total),
            };
            if (status == null)
            {
                record.RecordType = ProgressRecordType.Completed;
            }
            WriteProgress(record);
        }

        void IRestoreObserver.Verbose(string text) => WriteVerbose(text);

        void IRestoreObserver.Warning(string text) => WriteWarning(text);

        void IRestoreObserver.Problem(PlanProblem problem)
            => WriteError(DoltBackupErrors.Create(problem.Message, problem.ErrorId, RestoreErrorAdvice.Category(problem.ErrorId, ErrorCategory.InvalidArgument), problem.Target, problem.RecommendedAction));

        void IRestoreObserver.DatabaseResult(DatabaseRestoreResult result)
        {
            WriteObject(result);
            if (result.ErrorId != null)
            {
                WriteError(DoltBackupErrors.Create(result.Error, result.ErrorId, result.ErrorCategory ?? RestoreErrorAdvice.Category(result.ErrorId),
                    result.TargetName, result.RecommendedAction ?? RestoreErrorAdvice.RecommendedAction(result.ErrorId)));
            }
        }

        void IRestoreObserver.ArtifactResult(ArtifactGroupRestoreResult result)
        {
            WriteObject(result);
            if (result.ErrorId != null)
            {
                WriteError(DoltBackupErrors.Create(result.Error, result.ErrorId, result.ErrorCategory ?? RestoreErrorAdvice.Category(result.ErrorId),
                    result.Group.ToString(), result.RecommendedAction ?? RestoreErrorAdvice.RecommendedAction(result.ErrorId)));
            }
        }
    }
}
