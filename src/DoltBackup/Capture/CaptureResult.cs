using System.Collections.Generic;
using System.Linq;
using DoltBackup.Config;
using DoltBackup.Manifest;

namespace DoltBackup.Capture
{
    /// <summary>What one <see cref="ServerFileCapture.CaptureInto"/> run did (everything is also in the manifest).</summary>
    public sealed class CaptureResult
    {
        /// <summary>Artifacts added by this run, failed ones included (Status Failed).</summary>
        public List<BackupArtifact> Artifacts { get; } = new List<BackupArtifact>();

        /// <summary>Files and values deliberately left out by this run, with the reason.</summary>
        public List<OmittedFile> Omitted { get; } = new List<OmittedFile>();

        /// <summary>Errors of this run (one per failed file), also added to the manifest.</summary>
        public List<BackupError> Errors { get; } = new List<BackupError>();

        /// <summary>Warnings of this run; those about the backup are also in the manifest.</summary>
        public List<string> Warnings { get; } = new List<string>();

        /// <summary>The YAML as read, when there was one.</summary>
        public SqlServerConfig ServerConfig { get; set; }

        /// <summary>The data directory used, or null.</summary>
        public string DataDir { get; set; }

        /// <summary>The global Dolt directory used.</summary>
        public string GlobalConfigDir { get; set; }

        /// <summary>Whether a Dolt process was taken to use the data directory.</summary>
        public bool ServerRunning { get; set; }

        /// <summary>Artifacts that failed.</summary>
        public IEnumerable<BackupArtifact> Failed => Artifacts.Where(a => a.Status == ItemStatus.Failed);
    }
}
