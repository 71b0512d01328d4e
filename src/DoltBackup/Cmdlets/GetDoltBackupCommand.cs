using System.IO;
using System.Management.Automation;
using DoltBackup.Manifest;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Reads backup manifests from disk.</para>
    /// <para type="description">Reads manifest.json from a backup folder (or the path of a manifest.json) and emits the
    /// backup manifest object that the other DoltBackup cmdlets take from the pipeline.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DoltBackup", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(BackupManifest))]
    public sealed class GetDoltBackupCommand : DoltBackupCmdlet
    {
        private const string PathSet = "Path";

        /// <summary>A backup folder, or the path of a manifest.json.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
            HelpMessage = "A backup folder, or the path of a manifest.json.")]
        [Alias("FullName", "PSPath", "BackupFolder")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (string p in Path)
            {
                string resolved = ResolveUserPath(p);
                try
                {
                    WriteObject(ManifestStore.Read(resolved));
                }
                catch (FileNotFoundException e)
                {
                    WriteDoltError(e, "ManifestNotFound", ErrorCategory.ObjectNotFound, p,
                        "Give a backup folder that holds manifest.json, or the path of a manifest.json.");
                }
                catch (DirectoryNotFoundException e)
                {
                    WriteDoltError(e, "ManifestNotFound", ErrorCategory.ObjectNotFound, p,
                        "Give a backup folder that holds manifest.json, or the path of a manifest.json.");
                }
                catch (ManifestSchemaException e)
                {
                    WriteDoltError(e, "ManifestUnreadable", ErrorCategory.InvalidData, p,
                        "Use a manifest written by DoltBackup, or update the module when the manifest is newer than it.");
                }
                catch (System.UnauthorizedAccessException e)
                {
                    WriteDoltError(e, "ManifestAccessDenied", ErrorCategory.PermissionDenied, p, "Run as a user that can read the backup folder.");
                }
            }
        }
    }
}
