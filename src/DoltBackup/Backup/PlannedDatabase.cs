using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>One database in a <see cref="BackupPlan"/>.</summary>
    public sealed class PlannedDatabase
    {
        /// <summary>The manifest item (name, URL, backup name).</summary>
        public DatabaseBackupItem Item { get; set; }
        /// <summary>What will be done.</summary>
        public RegistrationAction Action { get; set; }
        /// <summary>The URL the name pointed at before, for <see cref="RegistrationAction.Replace"/>.</summary>
        public string ReplacedUrl { get; set; }
        /// <summary>Why the database cannot be registered, or null.</summary>
        public DoltEngineException Problem { get; set; }
        /// <summary>The local store folder of a file:// URL, or null.</summary>
        public string StoreDir { get; set; }
        /// <summary>The marker to write beside the store (file:// only).</summary>
        public OwnershipMarker Marker { get; set; }
        /// <summary>True when the store's marker already names this database and backup name (nothing to write).</summary>
        public bool AlreadyClaimed { get; set; }
        /// <summary>What the user is asked to confirm (ShouldProcess action text).</summary>
        public string Description { get; set; }
    }
}
