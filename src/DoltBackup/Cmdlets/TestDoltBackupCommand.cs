using System;
using System.IO;
using System.Management.Automation;
using DoltBackup.Manifest;
using DoltBackup.Verification;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Verifies backups offline, without dolt: recorded files and Dolt's storage files.</para>
    /// <para type="description">Takes backup manifests from the pipeline, or -Path to a backup folder, a file:// backup
    /// directory, a database's .dolt directory or a data dir, and emits one result per check (Passed, Failed, Skipped,
    /// Info). -Deep also decompresses and re-hashes every chunk.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "DoltBackup", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(VerificationResult))]
    [OutputType(typeof(VerificationSummary))]
    public sealed class TestDoltBackupCommand : DoltBackupCmdlet
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

        /// <summary>Also decompress every chunk and compare SHA-512[:20] with its address.</summary>
        [Parameter(HelpMessage = "Also decompress every chunk and compare the first 20 bytes of its SHA-512 with its address.")]
        public SwitchParameter Deep { get; set; }

        /// <summary>Emit one summary per backup or path instead of one result per check.</summary>
        [Parameter(HelpMessage = "Emit one summary per backup or path instead of one result per check.")]
        public SwitchParameter Summary { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ManifestSet)
            {
                foreach (var manifest in InputObject)
                {
                    Verify(manifest.ToString(), emit => BackupVerifier.VerifyManifest(manifest, Options(manifest.ToString()), emit));
                }
                return;
            }
            foreach (string p in Path)
            {
                string resolved = BackupVerifier.FileUrlToPath(p) ?? ResolveUserPath(p);
                try
                {
                    Verify(resolved, emit => BackupVerifier.VerifyPath(resolved, Options(resolved), emit));
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
            }
        }

        private VerificationOptions Options(string target) => new VerificationOptions
        {
            Deep = Deep.IsPresent,
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
