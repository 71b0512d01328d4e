namespace DoltBackup.Capture
{
    /// <summary>How <see cref="ArtifactRestorer"/> puts files back.</summary>
    public sealed class ArtifactRestoreOptions
    {
        /// <summary>Null: every file goes back to its original absolute path. Otherwise the new root (-ConfigRoot): the
        /// original path is re-rooted under it (/etc/dolt/config.yaml becomes &lt;root&gt;/etc/dolt/config.yaml,
        /// C:\dolt\config.yaml becomes &lt;root&gt;\C\dolt\config.yaml), and nothing may land outside it.</summary>
        public string TargetRoot { get; set; }

        /// <summary>Overwrite an existing file whose content differs.</summary>
        public bool Force { get; set; }

        /// <summary>Plan only: validate and report what would happen, write nothing.</summary>
        public bool WhatIf { get; set; }
    }
}
