using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;

namespace DoltBackup.Manifest
{
    /// <summary>
    /// The record of one backup set: what was backed up, from where, to where, at which commits, every captured file
    /// with its SHA-256, and what went wrong. Every DoltBackup cmdlet emits it or accepts it from the pipeline; it is
    /// stored as <c>manifest.json</c> in the backup folder (see docs/manifest.md).
    /// </summary>
    public sealed class BackupManifest
    {
        /// <summary>The schema version this module writes and the newest it reads.</summary>
        public const int CurrentSchemaVersion = 1;

        /// <summary>The file name of a manifest inside its backup folder.</summary>
        public const string FileName = "manifest.json";

        /// <summary>Version of the manifest schema.</summary>
        public int SchemaVersion { get; set; } = CurrentSchemaVersion;

        /// <summary>Sortable identity: UTC label plus name, for example <c>20261123T191000Z-prod</c>.</summary>
        public string Id { get; set; }

        /// <summary>The backup's name (also the name registered with <c>dolt_backup('add')</c>).</summary>
        public string Name { get; set; }

        /// <summary>How the backup is made.</summary>
        public BackupMethod Method { get; set; }

        /// <summary>The set's overall state; see <see cref="RefreshStatus"/>.</summary>
        public BackupStatus Status { get; set; } = BackupStatus.Configured;

        /// <summary>When the set was created (UTC).</summary>
        public DateTime CreatedUtc { get; set; }

        /// <summary>When the last sync of the set finished (UTC), or null.</summary>
        public DateTime? CompletedUtc { get; set; }

        /// <summary>The DoltBackup version that wrote the manifest.</summary>
        public string ModuleVersion { get; set; }

        /// <summary>Where the data came from.</summary>
        public BackupSource Source { get; set; } = new BackupSource();

        /// <summary>Where the data went.</summary>
        public BackupDestination Destination { get; set; } = new BackupDestination();

        /// <summary>One entry per database.</summary>
        public List<DatabaseBackupItem> Databases { get; set; } = new List<DatabaseBackupItem>();

        /// <summary>Every file captured into the backup folder (configuration, grants script, copied data).</summary>
        public List<BackupArtifact> Artifacts { get; set; } = new List<BackupArtifact>();

        /// <summary>Files that were found but deliberately not captured, and why (secrets, files in use).</summary>
        public List<OmittedFile> Omitted { get; set; } = new List<OmittedFile>();

        /// <summary>Block-device snapshots (method EbsSnapshot).</summary>
        public List<VolumeSnapshot> Snapshots { get; set; } = new List<VolumeSnapshot>();

        /// <summary>How the set's files are encrypted (null: not encrypted). Holds recipients, never a key.</summary>
        public BackupEncryption Encryption { get; set; }

        /// <summary>Things the user should know that did not stop the backup.</summary>
        public List<string> Warnings { get; set; } = new List<string>();

        /// <summary>Everything that went wrong, with its target.</summary>
        public List<BackupError> Errors { get; set; } = new List<BackupError>();

        /// <summary>The folder that holds manifest.json (not serialized: it is wherever the file is read from).</summary>
        [JsonIgnore]
        public string BackupFolder => Destination?.BackupFolder;

        /// <summary>The path of manifest.json, when the set has a backup folder.</summary>
        [JsonIgnore]
        public string ManifestPath => string.IsNullOrEmpty(BackupFolder) ? null : System.IO.Path.Combine(BackupFolder, FileName);

        /// <summary>
        /// The connection of the session that created or synced this manifest, so that
        /// <c>New-DoltBackup -Credential $c ... | Sync-DoltBackup</c> needs no second -Credential. In memory only: never
        /// serialized (internal, and [JsonIgnore]), never shown by PowerShell (not public).
        /// </summary>
        [JsonIgnore]
        internal Server.ServerConnectionSettings SessionConnection { get; set; }

        /// <summary>The -DoltPath of the session that created or synced this manifest (CLI mode); in memory only.</summary>
        [JsonIgnore]
        internal string SessionDoltPath { get; set; }

        /// <summary>
        /// The -StorageContext this manifest was read or written with (a set in, or staged for, an object store); in
        /// memory only. Passed along the pipeline through <see cref="StorageContext"/>.
        /// </summary>
        [JsonIgnore]
        internal Storage.StorageContext SessionStorageContext { get; set; }

        /// <summary>
        /// The connection options (New-DoltBackupStorageContext) this manifest was read or written with, so that
        /// <c>Get-DoltBackup s3://bucket/root -StorageContext $c | Test-DoltBackup</c> needs no second -StorageContext
        /// (the receiving cmdlets bind it by property name; one given on their command line wins). Null for a set read
        /// without one. In memory only: never serialized into manifest.json ([JsonIgnore]), hidden from Get-Member and
        /// the format views; its ToString names no secret.
        /// </summary>
        [JsonIgnore]
        [System.Management.Automation.Hidden]
        public Storage.StorageContext StorageContext => SessionStorageContext;

        /// <summary>
        /// The encryption keys of the session that created or synced this manifest (a passphrase recipient needs the
        /// passphrase again for every write); in memory only, never serialized or shown.
        /// </summary>
        [JsonIgnore]
        internal Encryption.EncryptionKeys SessionEncryptionKeys { get; set; }

        /// <summary>The keys a restore of this set decrypts with (checked before anything is written); in memory only.</summary>
        [JsonIgnore]
        internal Encryption.EncryptionKeys SessionDecryptionKeys { get; set; }

        /// <summary>Names of the databases in the set.</summary>
        [JsonIgnore]
        public string[] DatabaseNames => Databases.Select(d => d.Name).ToArray();

        /// <summary>
        /// Recomputes <see cref="Status"/> from the items. Completed only when every item completed; an item still
        /// Running (an interrupted sync) makes the set Running; a set with nothing completed is Failed; a mixture,
        /// including skipped items, is PartiallyCompleted. Configured stays Configured until any sync has run.
        /// </summary>
        public BackupStatus RefreshStatus()
        {
            var states = Databases.Select(d => d.Status)
                .Concat(Artifacts.Select(a => a.Status))
                .Concat(Snapshots.Select(s => s.Status))
                .ToList();
            Status = ComputeStatus(states, Errors.Count > 0);
            return Status;
        }

        internal static BackupStatus ComputeStatus(IReadOnlyCollection<ItemStatus> states, bool hasSetLevelErrors)
        {
            if (states.Count == 0)
            {
                return hasSetLevelErrors ? BackupStatus.Failed : BackupStatus.Configured;
            }
            if (states.Any(s => s == ItemStatus.Running))
            {
                return BackupStatus.Running;
            }
            if (states.All(s => s == ItemStatus.Configured || s == ItemStatus.Pending))
            {
                return hasSetLevelErrors ? BackupStatus.Failed : BackupStatus.Configured;
            }
            int completed = states.Count(s => s == ItemStatus.Completed);
            if (completed == 0)
            {
                return BackupStatus.Failed;
            }
            if (completed == states.Count && !hasSetLevelErrors)
            {
                return BackupStatus.Completed;
            }
            return BackupStatus.PartiallyCompleted;
        }

        /// <summary>Records an error against the set (and, when given, against an item by name).</summary>
        public void AddError(string target, string errorId, string message)
        {
            Errors.Add(new BackupError { Target = target, ErrorId = errorId, Message = message, TimeUtc = DateTime.UtcNow });
        }

        /// <summary>Adds a warning once.</summary>
        public void AddWarning(string warning)
        {
            if (!Warnings.Contains(warning))
            {
                Warnings.Add(warning);
            }
        }

        /// <summary>The database entry with this name (case-sensitive, as Dolt names are), or null.</summary>
        public DatabaseBackupItem FindDatabase(string name) => Databases.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));

        /// <inheritdoc />
        public override string ToString() => Id ?? Name ?? nameof(BackupManifest);
    }

    /// <summary>Where a backup came from.</summary>
    public sealed class BackupSource
    {
        /// <summary>Server host name or address, when backed up through a server.</summary>
        public string Server { get; set; }
        /// <summary>Server port.</summary>
        public int? Port { get; set; }
        /// <summary>The data directory (absolute), when known.</summary>
        public string DataDir { get; set; }
        /// <summary>The sql-server YAML config file (absolute), when given.</summary>
        public string ConfigPath { get; set; }
        /// <summary>The Dolt version reported by the server or CLI, when known.</summary>
        public string DoltVersion { get; set; }
        /// <summary>The remote pushed to (method Push).</summary>
        public string Remote { get; set; }
        /// <inheritdoc />
        public override string ToString() => Server != null ? (Port.HasValue ? Server + ":" + Port : Server) : DataDir;
    }

    /// <summary>Where a backup went.</summary>
    public sealed class BackupDestination
    {
        /// <summary>The base URL under which each database gets its own URL.</summary>
        public string BaseUrl { get; set; }
        /// <summary>The folder that holds manifest.json and captured artifacts (absolute).</summary>
        public string BackupFolder { get; set; }
        /// <summary>True when each run gets its own URL suffix (-Versioned).</summary>
        public bool Versioned { get; set; }
        /// <summary>
        /// The object-store URL of the set (s3:// or az://) when -Destination was one: Dolt syncs into local file://
        /// staging stores (<see cref="BaseUrl"/>, <see cref="BackupFolder"/> on the server's host) and the module
        /// uploads the set there. Null for every other destination.
        /// </summary>
        public string ObjectStoreUrl { get; set; }
        /// <summary>
        /// True for a -Versioned staged set: the table files of each database's store are kept once, under the backup
        /// root's <c>.stores/&lt;database&gt;/</c> (each database's <c>objectStoreUrl</c>), shared by every version;
        /// the set itself holds each store's `manifest`, which names the files that version needs.
        /// </summary>
        public bool SharedStores { get; set; }
        /// <inheritdoc />
        public override string ToString() => BaseUrl ?? BackupFolder;
    }

    /// <summary>A branch or tag and the commit it pointed at.</summary>
    public sealed class RefHead
    {
        /// <summary>Branch or tag name.</summary>
        public string Name { get; set; }
        /// <summary>Commit hash (32 characters of Dolt's base32).</summary>
        public string Hash { get; set; }
        /// <inheritdoc />
        public override string ToString() => Name + "@" + Hash;
    }

    /// <summary>One database of a backup set.</summary>
    public sealed class DatabaseBackupItem
    {
        /// <summary>Database name.</summary>
        public string Name { get; set; }
        /// <summary>The backup URL of this database (for a staged set: its local file:// staging store).</summary>
        public string Url { get; set; }
        /// <summary>Where the store is kept off the host (a staged set only: &lt;ObjectStoreUrl&gt;/&lt;database&gt;).</summary>
        public string ObjectStoreUrl { get; set; }
        /// <summary>The name registered with dolt_backup('add') (or the remote name for Push).</summary>
        public string BackupName { get; set; }
        /// <summary>Head commit of every branch before the sync.</summary>
        public List<RefHead> Branches { get; set; } = new List<RefHead>();
        /// <summary>Tags and their commits before the sync.</summary>
        public List<RefHead> Tags { get; set; } = new List<RefHead>();
        /// <summary><c>dolt_hashof_db()</c>: the working-set root hash before the sync.</summary>
        public string WorkingSetHash { get; set; }
        /// <summary>The item's state.</summary>
        public ItemStatus Status { get; set; } = ItemStatus.Pending;
        /// <summary>What went wrong, when Status is Failed or Skipped.</summary>
        public string Error { get; set; }
        /// <summary>When work on it started (UTC).</summary>
        public DateTime? StartedUtc { get; set; }
        /// <summary>When work on it finished (UTC).</summary>
        public DateTime? CompletedUtc { get; set; }
        /// <summary>How long the sync took, in milliseconds.</summary>
        public long? DurationMs { get; set; }
        /// <summary>
        /// Size of the backup at its destination, when known: every file of the store, including files it shares by
        /// hard link with other versions (what a restore of this version reads).
        /// </summary>
        public long? Bytes { get; set; }
        /// <summary>
        /// Of <see cref="Bytes"/>, what this version added to the disk: files written by its sync or copied into it,
        /// not the files hard-linked from an earlier version (-Versioned file:// stores only; null otherwise).
        /// </summary>
        public long? NewBytes { get; set; }
        /// <summary>How a -Versioned file:// store was started before the sync (null for other stores).</summary>
        public StoreSeed Seed { get; set; }
        /// <summary>
        /// The encrypted objects of a staged store as uploaded (encrypted staged sets only; null otherwise): every file
        /// of the store, with the ciphertext's and the plaintext's size and SHA-256. Retention finds shared table files
        /// by these names, and a restore checks every object against them.
        /// </summary>
        public List<StoreFileRecord> StoreFiles { get; set; }
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>One file of a staged Dolt store, uploaded encrypted (CMS AuthEnvelopedData, <c>openssl cms -decrypt</c> opens it).</summary>
    public sealed class StoreFileRecord
    {
        /// <summary>The file's path in the Dolt store ('/' separated): <c>manifest</c>, a table file, <c>oldgen/&lt;hash&gt;</c>.</summary>
        public string Name { get; set; }
        /// <summary>
        /// The object's key without the <c>.p7m</c> suffix: relative to the set's URL, or for a shared table file
        /// (<see cref="Shared"/>) relative to the backup root (<c>.stores/&lt;database&gt;/&lt;key id&gt;/&lt;file&gt;</c>).
        /// </summary>
        public string Object { get; set; }
        /// <summary>True for a table file kept once under the backup root's <c>.stores/</c> and shared by the versions that name it.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public bool Shared { get; set; }
        /// <summary>Stored (ciphertext) size in bytes.</summary>
        public long Size { get; set; }
        /// <summary>SHA-256 of the stored ciphertext, lower-case hex.</summary>
        public string Sha256 { get; set; }
        /// <summary>Plaintext size in bytes.</summary>
        public long PlaintextSize { get; set; }
        /// <summary>SHA-256 of the plaintext, lower-case hex.</summary>
        public string PlaintextSha256 { get; set; }
        /// <inheritdoc />
        public override string ToString() => Object;
    }

    /// <summary>A file captured into the backup folder.</summary>
    public sealed class BackupArtifact
    {
        /// <summary>What the file is, for example ServerConfig, GlobalConfig, RepoState, DatabaseConfig, PrivilegeFile,
        /// BranchControlFile, GrantsScript, TlsCertificate, DataFile.</summary>
        public string Kind { get; set; }
        /// <summary>The database it belongs to, when it belongs to one.</summary>
        public string Database { get; set; }
        /// <summary>Absolute path where the file came from.</summary>
        public string OriginalPath { get; set; }
        /// <summary>Path relative to the backup folder, with forward slashes; for a file inside an archive, its entry name in that archive.</summary>
        public string StoredPath { get; set; }
        /// <summary>For a file stored inside an archive (a FileCopy tar), the archive's path relative to the backup folder; null for a plain file.</summary>
        public string Archive { get; set; }
        /// <summary>Size in bytes.</summary>
        public long Size { get; set; }
        /// <summary>SHA-256 of the stored bytes, lower-case hex.</summary>
        public string Sha256 { get; set; }
        /// <summary>Unix mode of the original file as octal text (for example 0600), when known.</summary>
        public string Mode { get; set; }
        /// <summary>True when the file holds secrets (stored owner-only).</summary>
        public bool Secret { get; set; }
        /// <summary>True when the stored file is CMS AuthEnvelopedData (see <see cref="BackupManifest.Encryption"/>);
        /// <see cref="Size"/> and <see cref="Sha256"/> are then the ciphertext's, so a set is checked without a key.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public bool Encrypted { get; set; }
        /// <summary>Size of the plaintext (encrypted files only).</summary>
        public long? PlaintextSize { get; set; }
        /// <summary>SHA-256 of the plaintext, lower-case hex (encrypted files only).</summary>
        public string PlaintextSha256 { get; set; }
        /// <summary>The item's state.</summary>
        public ItemStatus Status { get; set; } = ItemStatus.Completed;
        /// <summary>What went wrong, if anything.</summary>
        public string Error { get; set; }
        /// <summary>
        /// An encrypted FileCopy archive larger than one segment is stored as these standalone encrypted files, in order
        /// (each its own CMS message, key and nonce): their plaintexts concatenated are the archive. <see cref="StoredPath"/>
        /// is then the archive's name (no file of that name exists), <see cref="Size"/> the parts' total, <see cref="Sha256"/>
        /// null, and <see cref="PlaintextSize"/> / <see cref="PlaintextSha256"/> the whole archive's. Null for one file.
        /// </summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public List<ArchivePart> Parts { get; set; }
        /// <inheritdoc />
        public override string ToString() => StoredPath;
    }

    /// <summary>One stored part of an archive kept in parts (<see cref="BackupArtifact.Parts"/>).</summary>
    public sealed class ArchivePart
    {
        /// <summary>Its place in the archive, from 1.</summary>
        public int Index { get; set; }
        /// <summary>Path relative to the backup folder, with forward slashes (for example datadir.tar.gz.part0001.p7m).</summary>
        public string StoredPath { get; set; }
        /// <summary>Stored (ciphertext) bytes.</summary>
        public long Size { get; set; }
        /// <summary>SHA-256 of the stored bytes, lower-case hex.</summary>
        public string Sha256 { get; set; }
        /// <summary>Plaintext bytes: this stretch of the archive.</summary>
        public long PlaintextSize { get; set; }
        /// <summary>SHA-256 of the plaintext, lower-case hex.</summary>
        public string PlaintextSha256 { get; set; }
        /// <inheritdoc />
        public override string ToString() => StoredPath;
    }

    /// <summary>How a backup set's files are encrypted (docs/encryption.md): who can open them, never a key.</summary>
    public sealed class BackupEncryption
    {
        /// <summary>The format every encrypted file is stored in.</summary>
        public const string CmsFormat = "CMS-AuthEnvelopedData-AES256GCM";

        /// <summary>The stored format: <c>CMS-AuthEnvelopedData-AES256GCM</c> (RFC 5083; <c>openssl cms -decrypt</c> opens it).</summary>
        public string Format { get; set; } = CmsFormat;
        /// <summary>The suffix of an encrypted file's stored path.</summary>
        public string FileSuffix { get; set; } = ".p7m";
        /// <summary>Who can open the files: certificates (with their public DER) and whether a passphrase does.</summary>
        public List<Encryption.EncryptionRecipient> Recipients { get; set; } = new List<Encryption.EncryptionRecipient>();
        /// <summary>
        /// True when the set's Dolt stores are encrypted too: stores staged on this host and uploaded by DoltBackup to an
        /// s3:// or az:// destination (each file's record in <see cref="DatabaseBackupItem.StoreFiles"/>). False when
        /// Dolt writes them itself (file://, aws://, gs://, https:// destinations), which DoltBackup cannot encrypt.
        /// </summary>
        public bool DoltStoresEncrypted { get; set; }
        /// <summary>
        /// Encrypted staged stores: the identity of the recipients the store files are encrypted to (16 hex digits),
        /// also the folder of the shared table files under <c>.stores/&lt;database&gt;/</c>. Files encrypted to other
        /// recipients are never reused: a set with other recipients uploads its own copies.
        /// </summary>
        public string StoreKeyId { get; set; }
        /// <summary>What protects the Dolt stores instead (the storage's own encryption), when they are not encrypted.</summary>
        public string DoltStoresNote { get; set; }
        /// <inheritdoc />
        public override string ToString() => string.Join(", ", Recipients.Select(r => r.ToString()));
    }

    /// <summary>A file found but deliberately not captured.</summary>
    public sealed class OmittedFile
    {
        /// <summary>What the file is.</summary>
        public string Kind { get; set; }
        /// <summary>Absolute path of the file.</summary>
        public string OriginalPath { get; set; }
        /// <summary>Why it was left out and how to include it.</summary>
        public string Reason { get; set; }
        /// <inheritdoc />
        public override string ToString() => OriginalPath;
    }

    /// <summary>A block-device snapshot (method EbsSnapshot).</summary>
    public sealed class VolumeSnapshot
    {
        /// <summary>Snapshot id, for example snap-0123456789abcdef0.</summary>
        public string SnapshotId { get; set; }
        /// <summary>Volume id, for example vol-0123456789abcdef0.</summary>
        public string VolumeId { get; set; }
        /// <summary>Local device the volume is attached as, when discovered.</summary>
        public string Device { get; set; }
        /// <summary>Region of the snapshot.</summary>
        public string Region { get; set; }
        /// <summary>AWS state: pending, completed, error.</summary>
        public string State { get; set; }
        /// <summary>AWS progress text, for example 100%.</summary>
        public string Progress { get; set; }
        /// <summary>Size of the volume in GiB.</summary>
        public int? VolumeSizeGiB { get; set; }
        /// <summary>The instance the volume was attached to when the snapshot was taken, when known.</summary>
        public string InstanceId { get; set; }
        /// <summary>The availability zone of the source volume (the default zone of a restored volume).</summary>
        public string AvailabilityZone { get; set; }
        /// <summary>When the snapshot started (UTC).</summary>
        public DateTime? StartTimeUtc { get; set; }
        /// <summary>The item's state.</summary>
        public ItemStatus Status { get; set; } = ItemStatus.Pending;
        /// <summary>What went wrong, if anything.</summary>
        public string Error { get; set; }
        /// <inheritdoc />
        public override string ToString() => SnapshotId ?? VolumeId;
    }

    /// <summary>An error recorded in a manifest.</summary>
    public sealed class BackupError
    {
        /// <summary>What failed: a database, a file, a volume, or the set.</summary>
        public string Target { get; set; }
        /// <summary>The ErrorRecord's FullyQualifiedErrorId stem, for example DoltBackup.SyncFailed.</summary>
        public string ErrorId { get; set; }
        /// <summary>The message (never contains secrets).</summary>
        public string Message { get; set; }
        /// <summary>When it happened (UTC).</summary>
        public DateTime TimeUtc { get; set; }
        /// <inheritdoc />
        public override string ToString() => Target + ": " + Message;
    }
}
