using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using DoltBackup.Grants;
using DoltBackup.Manifest;
using DoltBackup.Server;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Exports users, roles, grants and Dolt branch permissions as a replayable SQL script.</para>
    /// <para type="description">Reads every account (plugin, password hash, lock state), every SHOW GRANTS line and, on
    /// Dolt, dolt_branch_control and dolt_branch_namespace_control, and writes a deterministic script that recreates
    /// them. With backup manifests from the pipeline the script is stored in each backup folder as grants/grants.sql.</para>
    /// </summary>
    [Cmdlet(VerbsData.Export, "DoltGrants", DefaultParameterSetName = ServerSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(string), ParameterSetName = new[] { ServerSet })]
    [OutputType(typeof(GrantsExportResult), ParameterSetName = new[] { ServerSet })]
    [OutputType(typeof(BackupManifest), ParameterSetName = new[] { ManifestSet })]
    public sealed class ExportDoltGrantsCommand : DoltServerCmdlet
    {
        private const string ServerSet = "Server";
        private const string ManifestSet = "Manifest";

        /// <summary>Backup manifests (from Get-DoltBackup or New-DoltBackup): the script goes into each backup folder.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ManifestSet, HelpMessage = "Backup manifests whose folders receive grants/grants.sql.")]
        [ValidateNotNull]
        public BackupManifest InputObject { get; set; }

        /// <summary>With backup manifests: also copy each set (with its grants script) off the host, to &lt;CopyTo&gt;/&lt;set id&gt;.</summary>
        [Parameter(ParameterSetName = ManifestSet, HelpMessage = "With manifests from the pipeline: also copy each set, with its grants script, to <CopyTo>/<set id> (s3:// or az://), manifest.json last.")]
        [ValidateNotNullOrEmpty]
        public string CopyTo { get; set; }

        /// <summary>How to reach -CopyTo, or a staged set's s3:// or az:// destination (New-DoltBackupStorageContext); without it the default credential chain.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ManifestSet, HelpMessage = "Connection options for -CopyTo, or for the s3://, az:// or Azure Blob https:// destination of a set New-DoltBackup staged (default: the one passed along the pipeline), from New-DoltBackupStorageContext.")]
        public global::DoltBackup.Storage.StorageContext StorageContext { get; set; }

        /// <summary>The file to write (owner-only). Without it the script text is written to the pipeline.</summary>
        [Parameter(Position = 0, ParameterSetName = ServerSet, HelpMessage = "The script file to write (owner-only). Without -Path the script text is output.")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Only accounts and roles matching these wildcards (user, or user@host when the pattern has an '@').</summary>
        [Parameter(HelpMessage = "Only accounts and roles whose user (or user@host) matches one of these wildcards.")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] IncludeUser { get; set; }

        /// <summary>Leave out accounts and roles matching these wildcards.</summary>
        [Parameter(HelpMessage = "Leave out accounts and roles whose user (or user@host) matches one of these wildcards.")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] ExcludeUser { get; set; }

        /// <summary>Leave password hashes out; accounts that had one are created locked by the script.</summary>
        [Parameter(HelpMessage = "Leave password hashes out of the script; accounts that had a password are created locked.")]
        public SwitchParameter ExcludePassword { get; set; }

        /// <summary>The passphrase of an encrypted set whose recipients include one (a write needs it again).</summary>
        [Parameter(HelpMessage = "The passphrase of an encrypted backup set that was created with -EncryptionPassphrase (Read-Host -AsSecureString); needed again to write into it.")]
        public System.Security.SecureString EncryptionPassphrase { get; set; }

        /// <summary>Leave out the header (server, version, time), so exports diff cleanly.</summary>
        [Parameter(HelpMessage = "Leave out the header (server, version, UTC time) so two exports can be compared byte for byte.")]
        public SwitchParameter NoHeader { get; set; }

        /// <summary>Do not export Dolt's branch-control tables.</summary>
        [Parameter(HelpMessage = "Do not export dolt_branch_control and dolt_branch_namespace_control (exported by default on Dolt).")]
        public SwitchParameter ExcludeBranchControl { get; set; }

        /// <summary>Overwrite an existing -Path file (without -Force an existing file is an error and stays as it is).</summary>
        [Parameter(HelpMessage = "Overwrite an existing -Path file; without -Force an existing file is left alone and reported.")]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ManifestSet)
            {
                ExportIntoBackup(InputObject);
            }
            else
            {
                ExportStandalone();
            }
        }

        private void ExportStandalone()
        {
            var settings = BuildConnectionSettings();
            string path = string.IsNullOrEmpty(Path) ? null : ResolveUserPath(Path);
            if (path != null)
            {
                if (Directory.Exists(path))
                {
                    WriteDoltError(new IOException($"'{path}' is a folder; give the path of the script file."), "GrantsPathIsFolder", ErrorCategory.InvalidArgument, path,
                        "Give a file path, for example ./grants.sql.");
                    return;
                }
                if (File.Exists(path) && !Force)
                {
                    WriteDoltError(new IOException($"'{path}' exists and was not overwritten."), "GrantsFileExists", ErrorCategory.ResourceExists, path,
                        "Use -Force to overwrite it, or give another -Path.");
                    return;
                }
                if (!ShouldProcess(path, $"Write the users, grants and branch control of {settings.Endpoint}"))
                {
                    return;
                }
            }
            var export = Export(settings, settings.Endpoint);
            if (export == null)
            {
                return;
            }
            if (path == null)
            {
                WriteObject(GrantsExporter.ScriptText(export));
                return;
            }
            try
            {
                var result = GrantsExporter.WriteFile(export, path);
                WriteVerbose($"Wrote {result.Path}: {result.Size} bytes, SHA-256 {result.Sha256}, owner-only.");
                WriteObject(result);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteDoltError(e, "GrantsWriteFailed", ErrorCategory.WriteError, path, "Check that the folder exists and is writable.");
            }
        }

        private void ExportIntoBackup(BackupManifest manifest)
        {
            if (string.IsNullOrEmpty(manifest.BackupFolder))
            {
                WriteDoltError(new InvalidOperationException($"The backup set '{manifest}' has no backup folder to store the grants in."), "GrantsNoBackupFolder",
                    ErrorCategory.InvalidArgument, manifest, "Read the manifest with Get-DoltBackup from its folder, or use -Path.");
                WriteObject(manifest);
                return;
            }
            ServerConnectionSettings settings;
            try
            {
                settings = SettingsFor(manifest);
            }
            catch (Exception e) when (e is ArgumentException || e is IOException || e is InvalidOperationException)
            {
                WriteDoltError(e, "GrantsServerUnknown", ErrorCategory.InvalidArgument, manifest, "Give -Server (and -Credential) for the server this backup came from.");
                WriteObject(manifest);
                return;
            }
            if (!PrepareSetEncryption(manifest, EncryptionPassphrase))
            {
                WriteObject(manifest);
                return;
            }
            if (IsRemoteSet(manifest))
            {
                WriteObject(ExportIntoRemoteSet(manifest, settings) ?? manifest);
                return;
            }
            string target = System.IO.Path.Combine(manifest.BackupFolder, "grants", "grants.sql");
            if (!ShouldProcess(target, $"Write the users, grants and branch control of {settings.Endpoint}"))
            {
                WriteObject(manifest);
                return;
            }
            var export = Export(settings, manifest, manifest);
            if (export != null)
            {
                try
                {
                    var result = GrantsExporter.WriteToBackup(export, manifest);
                    WriteVerbose($"Stored {GrantsExporter.StoredPath} in {manifest.BackupFolder}: {result.Size} bytes, SHA-256 {result.Sha256}, owner-only.");
                    PublishStagedSet(manifest, StorageContext, System.Threading.CancellationToken.None);
                    CopySetOffHost(manifest, CopyTo, StorageContext, System.Threading.CancellationToken.None);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is global::DoltBackup.Encryption.EncryptionException)
                {
                    WriteDoltError(e, "GrantsWriteFailed", ErrorCategory.WriteError, target, "Check that the backup folder is writable.");
                }
            }
            WriteObject(manifest);
        }

        /// <summary>
        /// A set in an object store (from Get-DoltBackup s3://..., az://..., https://...): under the set's lock, the
        /// script (or the recorded failure) goes into the set, then its manifest.json.
        /// </summary>
        private BackupManifest ExportIntoRemoteSet(BackupManifest manifest, ServerConnectionSettings settings)
        {
            string target = manifest.BackupFolder.TrimEnd('/') + "/" + GrantsExporter.StoredPath;
            if (!string.IsNullOrEmpty(CopyTo))
            {
                WriteWarning($"-CopyTo is ignored for {manifest.BackupFolder}: the set is in an object store already.");
            }
            if (!ShouldProcess(target, $"Write the users, grants and branch control of {settings.Endpoint}"))
            {
                return null;
            }
            try
            {
                return WriteIntoRemoteSet(manifest, StorageContext, m =>
                {
                    if (!PrepareSetEncryption(m, EncryptionPassphrase))
                    {
                        return false;
                    }
                    var export = Export(settings, manifest, m);
                    if (export != null)
                    {
                        var result = GrantsExporter.WriteToBackup(export, m);
                        WriteVerbose($"Stored {GrantsExporter.StoredPath} for {manifest.BackupFolder}: {result.Size} bytes, SHA-256 {result.Sha256}.");
                    }
                    return true; // the script, or the failure recorded in the manifest
                });
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is global::DoltBackup.Encryption.EncryptionException)
            {
                WriteDoltError(e, "GrantsWriteFailed", ErrorCategory.WriteError, target, "Check free space in the temporary folder, then export again; the set was not changed.");
                return null;
            }
        }

        /// <summary>Runs the export, reporting progress; null when it failed (the error is already written).</summary>
        private GrantsExport Export(ServerConnectionSettings settings, object target, BackupManifest manifest = null)
        {
            var progress = new ProgressRecord(1, "Export-DoltGrants", "Reading accounts from " + settings.Endpoint);
            var read = new GrantsReadOptions
            {
                Filter = new AccountFilter(IncludeUser, ExcludeUser),
                IncludeBranchControl = !ExcludeBranchControl,
                Progress = (done, total) =>
                {
                    progress.StatusDescription = $"Reading grants: {done} of {total} accounts";
                    progress.PercentComplete = total == 0 ? 100 : Math.Min(100, done * 100 / total);
                    WriteProgress(progress);
                },
            };
            var options = new GrantsScriptOptions { NoHeader = NoHeader, ExcludePassword = ExcludePassword };
            try
            {
                WriteVerbose($"Reading accounts, grants and branch control from {settings.Endpoint} as {settings.UserName}.");
                var export = GrantsExporter.ForServer(settings).Export(read, options);
                var s = export.Snapshot;
                WriteVerbose($"{s.Kind} {(s.Kind == ServerKind.Dolt ? s.DoltVersion : s.ServerVersion)}: {s.Accounts.Count(a => !a.IsRole)} accounts, {s.Accounts.Count(a => a.IsRole)} roles, "
                             + $"{s.Failures.Count} not exported" + (s.HasBranchControl ? $", {s.BranchControl.Count} branch-control and {s.BranchNamespaceControl.Count} namespace rows." : "."));
                foreach (var w in s.Warnings)
                {
                    WriteWarning(w);
                }
                foreach (var f in s.Failures)
                {
                    WriteDoltError(new DoltBackup.Common.DoltBackupException($"The grants of {f.Account} could not be read; the account is not in the script: {f.Message}"),
                        "GrantsAccountFailed", ErrorCategory.ReadError, f.Account.ToString(),
                        "Check the account on the server (SHOW GRANTS FOR it); FLUSH PRIVILEGES after direct edits of the mysql tables. Then export again.");
                }
                return export;
            }
            catch (GrantsPrivilegeException e)
            {
                WriteDoltError(e, "GrantsPrivilegeMissing", ErrorCategory.PermissionDenied, target,
                    $"Grant the account {e.Privilege} (for example GRANT SELECT ON mysql.* TO it), or export as an administrator.");
                if (manifest != null)
                {
                    GrantsExporter.RecordFailure(manifest, "DoltBackup.GrantsPrivilegeMissing", e.Message);
                }
                return null;
            }
            catch (Exception e) when (!(e is PipelineStoppedException))
            {
                var classified = WriteServerError(e, settings, target, "Export-DoltGrants");
                if (manifest != null)
                {
                    GrantsExporter.RecordFailure(manifest, "DoltBackup." + classified.ErrorId, classified.Message);
                }
                return null;
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                progress.PercentComplete = 100;
                WriteProgress(progress);
            }
        }

        /// <summary>
        /// The connection for a manifest from the pipeline: the in-session connection settings the manifest carries
        /// (when the producing cmdlet attached them), else its source server and port; -Server, -Port, -ConfigPath,
        /// -Credential and the TLS parameters of this call win.
        /// </summary>
        private ServerConnectionSettings SettingsFor(BackupManifest manifest)
        {
            var carried = manifest.SessionConnection;
            if (HasServerParameters || carried == null && string.IsNullOrEmpty(manifest.Source?.Server) && string.IsNullOrEmpty(manifest.Source?.ConfigPath))
            {
                return BuildConnectionSettings();
            }
            var settings = BuildConnectionSettings();
            if (carried != null)
            {
                var copy = carried.Clone();
                if (MyInvocation.BoundParameters.ContainsKey(nameof(Credential)))
                {
                    copy.UserName = settings.UserName;
                    copy.WithPassword(settings.HasPassword ? GetPassword() : null);
                }
                if (MyInvocation.BoundParameters.ContainsKey(nameof(TlsMode)))
                {
                    copy.Tls = settings.Tls;
                }
                if (MyInvocation.BoundParameters.ContainsKey(nameof(Port)))
                {
                    copy.Port = settings.Port;
                }
                return copy;
            }
            if (string.IsNullOrEmpty(manifest.Source.Server) && !string.IsNullOrEmpty(manifest.Source.ConfigPath) && File.Exists(manifest.Source.ConfigPath))
            {
                var config = LoadServerConfig(manifest.Source.ConfigPath);
                settings.Host = config.ClientHost;
                settings.Port = config.ListenerPort;
            }
            else
            {
                settings.Host = manifest.Source.Server;
            }
            if (manifest.Source.Port.HasValue && !MyInvocation.BoundParameters.ContainsKey(nameof(Port)))
            {
                settings.Port = manifest.Source.Port.Value;
            }
            return settings;
        }

        private string GetPassword() => Credential?.GetNetworkCredential().Password;
    }
}
