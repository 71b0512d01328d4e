using System;
using System.IO;
using System.Management.Automation;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Verification;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Verifies backups offline, without dolt: recorded files and Dolt's storage files.</para>
    /// <para type="description">Takes backup manifests from the pipeline, or -Path to a backup folder, a file:// backup
    /// directory, a database's .dolt directory or a data dir, and emits one result per check (Passed, Failed, Skipped,
    /// Info). -Deep also decompresses and re-hashes every chunk. -RestoreTest also restores each database into a scratch
    /// copy (scratch databases on a server, or a scratch data directory), compares every branch head, tag and
    /// dolt_hashof_db() with the manifest, and always removes the scratch copy afterwards.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "DoltBackup", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(VerificationResult))]
    [OutputType(typeof(VerificationSummary))]
    public sealed class TestDoltBackupCommand : DoltServerCmdlet, IRestoreObserver
    {
        private const string PathSet = "Path";
        private const string ManifestSet = "Manifest";
        private const int ProgressId = 0x7e57;

        /// <summary>Backup manifests, for example from Get-DoltBackup.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ManifestSet, ValueFromPipeline = true,
            HelpMessage = "Backup manifests, for example from Get-DoltBackup.")]
        [ValidateNotNull]
        public BackupManifest[] InputObject { get; set; }

        /// <summary>A backup folder, a manifest.json, a file:// backup directory (a path or a file:// URL), a .dolt directory or a data dir.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true,
            HelpMessage = "A backup folder, a manifest.json, a file:// backup directory, a .dolt directory or a data dir.")]
        [Alias("FullName", "PSPath", "BackupFolder")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>How to reach an object-store set (New-DoltBackupStorageContext); without it the default credential chain.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "Connection options for an s3://, az:// or Azure Blob https:// backup set, from New-DoltBackupStorageContext. A piped manifest passes along the one it was read or made with (Get-DoltBackup, New-DoltBackup, Sync-DoltBackup -StorageContext); one given here wins.")]
        public global::DoltBackup.Storage.StorageContext StorageContext { get; set; }

        /// <summary>Also decompress every chunk and compare SHA-512[:20] with its address.</summary>
        [Parameter(HelpMessage = "Also decompress every chunk and compare the first 20 bytes of its SHA-512 with its address.")]
        public SwitchParameter Deep { get; set; }

        /// <summary>Emit one summary per backup or path instead of one result per check.</summary>
        [Parameter(HelpMessage = "Emit one summary per backup or path instead of one result per check.")]
        public SwitchParameter Summary { get; set; }

        /// <summary>Also restore each database into a scratch copy, compare its heads with the manifest, and remove the copy.</summary>
        [Parameter(HelpMessage = "Also restore each database into a scratch copy (a scratch database on a server, or a scratch data directory), compare every branch head, tag and dolt_hashof_db() with the manifest, and remove the copy afterwards.")]
        public SwitchParameter RestoreTest { get; set; }

        /// <summary>With -RestoreTest: only these databases of the backup (wildcards).</summary>
        [Parameter(HelpMessage = "With -RestoreTest: only these databases of the backup (wildcards).")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Database { get; set; }

        /// <summary>With -RestoreTest on a server: the scratch name of the single selected database.</summary>
        [Parameter(HelpMessage = "With -RestoreTest: the scratch name of the single selected database (it must not exist; it is dropped afterwards).")]
        [ValidateNotNullOrEmpty]
        public string NewName { get; set; }

        /// <summary>With -RestoreTest on a server: the prefix of the scratch names (default dbtest_&lt;8 hex&gt;_).</summary>
        [Parameter(HelpMessage = "With -RestoreTest on a server: the prefix of the scratch database names (default dbtest_<8 random hex digits>_).")]
        [ValidateNotNullOrEmpty]
        public string Prefix { get; set; }

        /// <summary>With -RestoreTest: restore offline into this new or empty folder (default: a new temporary folder), deleted afterwards.</summary>
        [Parameter(HelpMessage = "With -RestoreTest: restore offline through the dolt CLI into this new or empty folder (default: a new temporary folder); it is deleted afterwards.")]
        [ValidateNotNullOrEmpty]
        public string ScratchDataDir { get; set; }

        /// <summary>The dolt binary for an offline restore test (default: dolt from PATH).</summary>
        [Parameter(HelpMessage = "With -RestoreTest offline: the dolt binary (default: dolt from PATH).")]
        [ValidateNotNullOrEmpty]
        public string DoltPath { get; set; }

        /// <summary>Seconds one Dolt operation of the restore test may run (0: no limit).</summary>
        [Parameter(HelpMessage = "With -RestoreTest: seconds one Dolt operation (one database's restore) may run; 0 means no limit. Default 14400 (4 hours).")]
        [ValidateRange(0, int.MaxValue)]
        public int OperationTimeout { get; set; } = 14400;

        /// <summary>Certificates with their private keys that open an encrypted set.</summary>
        [Parameter(HelpMessage = "Encrypted sets: certificates with their private keys (Get-PfxCertificate, or Cert:\\CurrentUser\\My\\<thumbprint>) that open the set; its contents are then decrypted in a stream and checked too. Without a key only the stored (encrypted) bytes are checked.")]
        [CertificateTransformation]
        public System.Security.Cryptography.X509Certificates.X509Certificate2[] DecryptionCertificate { get; set; }

        /// <summary>The passphrase of an encrypted set.</summary>
        [Parameter(HelpMessage = "Encrypted sets: the set's passphrase (Read-Host -AsSecureString); its contents are then decrypted in a stream and checked too.")]
        public System.Security.SecureString Passphrase { get; set; }

        private readonly System.Threading.CancellationTokenSource _stop = new System.Threading.CancellationTokenSource();
        private string _restoreActivity = "Test-DoltBackup -RestoreTest";

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            bool restoreOnly = Database != null || NewName != null || Prefix != null || ScratchDataDir != null || DoltPath != null || MyInvocation.BoundParameters.ContainsKey(nameof(OperationTimeout));
            if (!RestoreTest && (restoreOnly || HasServerParameters))
            {
                ThrowDoltError(new ArgumentException("-Database, -NewName, -Prefix, -ScratchDataDir, -DoltPath, -OperationTimeout and the server parameters apply to -RestoreTest only."),
                    "InvalidRestoreTestRequest", ErrorCategory.InvalidArgument, null, "Add -RestoreTest, or leave these parameters out.");
            }
            if (ScratchDataDir != null && HasServerParameters)
            {
                ThrowDoltError(new ArgumentException("-ScratchDataDir restores offline through the dolt CLI; it cannot be combined with -Server or -ConfigPath, which restore through a server."),
                    "InvalidRestoreTestRequest", ErrorCategory.InvalidArgument, ScratchDataDir, "Use either -ScratchDataDir or the server parameters.");
            }
            if (NewName != null && Prefix != null)
            {
                ThrowDoltError(new ArgumentException("Give either -NewName or -Prefix, not both."), "InvalidRestoreTestRequest", ErrorCategory.InvalidArgument, NewName, "Correct the parameters; nothing was changed.");
            }
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ManifestSet)
            {
                foreach (var given in InputObject)
                {
                    global::DoltBackup.Storage.Sets.StagedBackupSet staged = null;
                    try
                    {
                        string readFrom = ReadLocationOf(given);
                        var context = StorageContext ?? given.SessionStorageContext;
                        if (VerifiedByStreaming(readFrom, context, out var read))
                        {
                            continue;
                        }
                        staged = StageIfRemote(readFrom, context, DecryptionCertificate, Passphrase, streamFileCopyData: true, manifestRead: read);
                        var manifest = staged?.Manifest ?? given;
                        var fromStore = staged;
                        Verify(given.ToString(), emit =>
                        {
                            BackupVerifier.VerifyManifest(manifest, Options(given.ToString()), emit, fromStore?.StreamedData);
                            RunRestoreTest(manifest, emit, fromStore);
                        });
                    }
                    catch (global::DoltBackup.Storage.StorageException e)
                    {
                        WriteError(e.ToErrorRecord());
                    }
                    finally
                    {
                        staged?.Dispose();
                    }
                }
                return;
            }
            foreach (string p in Path)
            {
                global::DoltBackup.Storage.Sets.StagedBackupSet staged = null;
                try
                {
                    string readFrom = ReadLocationOf(p); // reads a local manifest.json: once
                    if (VerifiedByStreaming(readFrom, StorageContext, out var read))
                    {
                        continue;
                    }
                    staged = StageIfRemote(readFrom, StorageContext, DecryptionCertificate, Passphrase, streamFileCopyData: true, manifestRead: read); // manifest.json is not read again
                    string resolved = staged?.Folder ?? BackupVerifier.FileUrlToPath(p) ?? ResolveUserPath(p);
                    var fromStore = staged;
                    Verify(resolved, emit =>
                    {
                        if (fromStore?.StreamedData != null)
                        {
                            // The FileCopy data stayed in the object store: verified by streaming it, then restore-tested by streaming it again.
                            BackupVerifier.VerifyManifest(fromStore.Manifest, Options(resolved), emit, fromStore.StreamedData);
                        }
                        else
                        {
                            BackupVerifier.VerifyPath(resolved, Options(resolved), emit);
                        }
                        if (RestoreTest)
                        {
                            RunRestoreTest(fromStore?.Manifest ?? ManifestOf(resolved, p), emit, fromStore);
                        }
                    });
                }
                catch (VerificationTargetException e)
                {
                    WriteDoltError(e, "VerificationTargetInvalid", ErrorCategory.InvalidArgument, p,
                        "Give a backup folder (with manifest.json), a file:// backup directory, a database's .dolt directory or a data dir.");
                }
                catch (ManifestSchemaException e)
                {
                    WriteDoltError(e, "ManifestUnreadable", ErrorCategory.InvalidData, p,
                        "Use a manifest written by DoltBackup, or update the module when the manifest is newer than it.");
                }
                catch (UnauthorizedAccessException e)
                {
                    WriteDoltError(e, "VerificationAccessDenied", ErrorCategory.PermissionDenied, p, "Run as a user that can read the backup.");
                }
                catch (IOException e)
                {
                    WriteDoltError(e, "VerificationReadFailed", ErrorCategory.ReadError, p, "Check that the backup is readable (disk, network share, permissions) and run again.");
                }
                catch (global::DoltBackup.Storage.StorageException e)
                {
                    WriteError(e.ToErrorRecord());
                }
                finally
                {
                    staged?.Dispose();
                }
            }
        }

        /// <summary>
        /// An object-store FileCopy set or staged set (without -RestoreTest): verified by streaming each object through
        /// the checks as it arrives (-Deep: the stores inside the archive in the same pass; a staged set's stores object
        /// by object), nothing fetched to disk. False for anything else (a folder, a set whose stores Dolt wrote itself,
        /// a restore test): the caller reads it as before, with <paramref name="manifestRead"/>, the set's manifest as
        /// read here (null when it was not read).
        /// </summary>
        private bool VerifiedByStreaming(string pathOrUrl, global::DoltBackup.Storage.StorageContext context, out BackupManifest manifestRead)
        {
            manifestRead = null;
            if (RestoreTest || !global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(pathOrUrl))
            {
                return false;
            }
            using (var location = global::DoltBackup.Storage.BackupLocations.Open(pathOrUrl, context))
            {
                var manifest = global::DoltBackup.Storage.Sets.RemoteSetCatalog.ReadManifest(location, "", _stop.Token);
                if (!global::DoltBackup.Storage.Sets.RemoteSetFiles.CanStream(manifest))
                {
                    manifestRead = manifest;
                    return false;
                }
                using (var sharedRoot = global::DoltBackup.Storage.Sets.StagedBackupSet.OpenSharedRoot(pathOrUrl, context, manifest))
                {
                    var files = new global::DoltBackup.Storage.Sets.RemoteSetFiles(location, "", sharedRoot, _stop.Token);
                    WriteVerbose($"Verifying {location.DisplayName} by streaming its objects (nothing is downloaded to disk).");
                    if (Deep && manifest.Method != BackupMethod.FileCopy)
                    {
                        WriteVerbose("-Deep: a .darc archive of a Dolt store larger than 64 MiB is spooled to an owner-only temporary file while it is checked (its chunks need random access), and deleted right after.");
                    }
                    Verify(location.DisplayName, emit => BackupVerifier.VerifyManifest(manifest, Options(location.DisplayName), emit, files));
                    return true;
                }
            }
        }

        /// <inheritdoc />
        protected override void StopProcessing()
        {
            _stop.Cancel();
            base.StopProcessing();
        }

        /// <summary>The manifest of a backup folder (or manifest.json) for -RestoreTest; null after writing an error when there is none.</summary>
        private BackupManifest ManifestOf(string resolved, string given)
        {
            string file = Directory.Exists(resolved) ? System.IO.Path.Combine(resolved, BackupManifest.FileName) : resolved;
            if (!File.Exists(file) || !string.Equals(System.IO.Path.GetFileName(file), BackupManifest.FileName, StringComparison.OrdinalIgnoreCase))
            {
                WriteDoltError(new ArgumentException($"-RestoreTest restores a backup set, but '{given}' is no backup folder (it has no {BackupManifest.FileName})."),
                    "RestoreTestNeedsManifest", ErrorCategory.InvalidArgument, given, "Give a backup folder written by New-DoltBackup or Sync-DoltBackup, or pipe its manifest.");
                return null;
            }
            return ManifestStore.Read(file);
        }

        /// <summary>Runs the restore test of one manifest: through a server when one is named (or recorded with -Credential), else offline.</summary>
        private void RunRestoreTest(BackupManifest manifest, Action<VerificationResult> emit, global::DoltBackup.Storage.Sets.StagedBackupSet staged = null)
        {
            if (!RestoreTest || manifest == null)
            {
                return;
            }
            _restoreActivity = "Test-DoltBackup -RestoreTest " + (manifest.Id ?? manifest.Name);
            if (manifest.Encryption != null)
            {
                try
                {
                    manifest.SessionDecryptionKeys = global::DoltBackup.Encryption.SetEncryption.ForReading(manifest, DecryptionCertificate, Passphrase);
                }
                catch (global::DoltBackup.Encryption.EncryptionException e)
                {
                    emit(new VerificationResult(manifest.Id, "RestoreTest.Key", VerificationStatus.Failed, e.Message, VerificationLevel.RestoreTest));
                    return;
                }
            }
            var tester = new RestoreTester(this, StreamedFileCopyRestorer(staged));
            var options = new RestoreTestOptions
            {
                DatabasePatterns = Database,
                NewName = NewName,
                Prefix = Prefix,
                ScratchDataDir = ScratchDataDir != null ? ResolveUserPath(ScratchDataDir) : null,
                Deep = Deep.IsPresent,
                CancellationToken = _stop.Token,
            };
            var timeout = TimeSpan.FromSeconds(OperationTimeout);
            try
            {
                if (manifest.Method == BackupMethod.FileCopy)
                {
                    try
                    {
                        tester.TestFileCopy(manifest, options, emit);
                    }
                    finally
                    {
                        EndStreamedDownload(staged);
                    }
                    return;
                }
                var request = ServerRequestFor(manifest, timeout);
                if (request == null)
                {
                    string doltPath = DoltPath == null ? manifest.SessionDoltPath
                        : DoltPath.IndexOfAny(new[] { '/', '\\' }) >= 0 ? ResolveUserPath(DoltPath) : DoltPath;
                    tester.TestOffline(manifest, dir =>
                    {
                        var engine = DoltEngineFactory.Create(new DoltEngineRequest { DataDir = dir, DoltPath = doltPath, OperationTimeout = timeout });
                        string notice = CommitIdentityCheck.NoticeFor(engine, _stop.Token); // `dolt backup restore` needs an identity
                        if (notice != null)
                        {
                            WriteWarning(notice);
                        }
                        return engine;
                    }, options, emit);
                    return;
                }
                WriteVerbose($"Restore test of '{manifest.Id}' through server {request.Server}.");
                using (var engine = DoltEngineFactory.Create(request))
                {
                    tester.TestOnServer(manifest, engine, options, emit);
                }
            }
            catch (ArgumentException e)
            {
                WriteDoltError(e, "InvalidRestoreTestRequest", ErrorCategory.InvalidArgument, manifest, "Correct the parameters; nothing was restored.");
            }
            catch (DoltEngineException e)
            {
                WriteDoltError(e, e.ErrorId, e.Category, manifest, e.RecommendedAction);
            }
        }

        /// <summary>The server of a restore test: the server parameters; else, with -Credential (or a manifest that carries its session's connection), the manifest's recorded source; else null (offline).</summary>
        private DoltEngineRequest ServerRequestFor(BackupManifest manifest, TimeSpan timeout)
        {
            if (ScratchDataDir != null)
            {
                return null;
            }
            if (HasServerParameters)
            {
                return new DoltEngineRequest { Server = BuildConnectionSettings(), OperationTimeout = timeout };
            }
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Credential)) || manifest.SessionConnection != null)
            {
                var request = RequestForRecordedSource(manifest, timeout, null);
                return request.IsOffline ? null : request;
            }
            return null;
        }

        bool IRestoreObserver.ShouldProcess(string target, string action) => ShouldProcess(action + ".", action + "?", "Test-DoltBackup -RestoreTest: " + target);

        void IRestoreObserver.Progress(int done, int total, string status)
        {
            var record = new ProgressRecord(ProgressId + 1, _restoreActivity, status ?? "Done") { PercentComplete = total == 0 ? 100 : Math.Min(100, done * 100 / total) };
            if (status == null)
            {
                record.RecordType = ProgressRecordType.Completed;
            }
            WriteProgress(record);
        }

        void IRestoreObserver.Verbose(string text) => WriteVerbose(text);

        void IRestoreObserver.Warning(string text) => WriteWarning(text);

        void IRestoreObserver.Problem(PlanProblem problem)
            => WriteError(DoltBackup.Common.DoltBackupErrors.Create(problem.Message, problem.ErrorId, RestoreErrorAdvice.Category(problem.ErrorId, ErrorCategory.InvalidOperation), problem.Target, problem.RecommendedAction));

        void IRestoreObserver.DatabaseResult(DatabaseRestoreResult result) => WriteVerbose(result.ToString());

        void IRestoreObserver.ArtifactResult(ArtifactGroupRestoreResult result) => WriteVerbose(result.Group + ": " + result.Status);

        private VerificationOptions Options(string target) => new VerificationOptions
        {
            Deep = Deep.IsPresent,
            DecryptionCertificates = DecryptionCertificate,
            Passphrase = Passphrase,
            Progress = p => WriteProgress(new ProgressRecord(ProgressId, "Test-DoltBackup " + target, p.Activity + ": " + System.IO.Path.GetFileName(p.CurrentItem ?? ""))
            {
                PercentComplete = p.Percent,
            }),
        };

        private void Verify(string target, Action<Action<VerificationResult>> run)
        {
            var summary = new VerificationSummary { Target = target };
            try
            {
                run(result =>
                {
                    summary.Add(result);
                    if (!Summary.IsPresent)
                    {
                        WriteObject(result);
                    }
                    if (result.Status == VerificationStatus.Failed)
                    {
                        WriteVerbose($"FAILED {result.Target} {result.Check}: {result.Message}");
                    }
                });
            }
            finally
            {
                WriteProgress(new ProgressRecord(ProgressId, "Test-DoltBackup " + target, "Done") { RecordType = ProgressRecordType.Completed });
            }
            WriteInformation(summary, new[] { "DoltBackup", "Summary" });
            WriteVerbose(summary.ToString());
            if (Summary.IsPresent)
            {
                WriteObject(summary);
            }
        }
    }
}
