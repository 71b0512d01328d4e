using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Catalog;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Reads backup manifests from disk: one backup set, or every set under a backup root.</para>
    /// <para type="description">Reads manifest.json from a backup folder, the path of a manifest.json, or every set
    /// folder under a backup root, and emits the backup manifest objects (newest first) that the other DoltBackup
    /// cmdlets take from the pipeline. -Name, -Status, -Since and -Last filter the sets; -IncludeIncomplete also lists the
    /// set folders without manifest.json (killed uploads), for Remove-DoltBackup to delete. With server parameters
    /// (-Server, -ConfigPath...) instead of -Path, it lists the backups registered on each database of the server
    /// (dolt_backups: name and URL), filtered by -Name, -Database and -ExcludeDatabase.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DoltBackup", DefaultParameterSetName = ServerSet)]
    [OutputType(typeof(BackupManifest), typeof(IncompleteBackupSet), ParameterSetName = new[] { PathSet })]
    [OutputType(typeof(DoltBackupRegistration), ParameterSetName = new[] { ServerSet })]
    public sealed class GetDoltBackupCommand : DoltServerCmdlet
    {
        private const string PathSet = "Path";
        private const string ServerSet = "Server";

        /// <summary>The type name that selects the listing view (id, name, method, status, databases, size, age).</summary>
        public const string ListingTypeName = "DoltBackup.Manifest.BackupManifest#Listing";

        private readonly List<BackupManifest> _found = new List<BackupManifest>();
        private readonly List<IncompleteBackupSet> _incomplete = new List<IncompleteBackupSet>();

        /// <summary>A backup folder, the path of a manifest.json, or a backup root with one folder per set.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
            HelpMessage = "A backup folder, the path of a manifest.json, or a backup root with one folder per backup set.")]
        [Alias("FullName", "PSPath", "BackupFolder")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>Only sets whose backup name or id (with -Path), or registrations whose name (from a server), matches one of these wildcard patterns.</summary>
        [Parameter(HelpMessage = "Only sets whose backup name or id matches one of these wildcard patterns (from a server: registrations whose name matches).")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; }

        /// <summary>Only sets in one of these states.</summary>
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Only sets in one of these states: Configured, Running, Completed, PartiallyCompleted, Failed, Incomplete (set folders without manifest.json, as -IncludeIncomplete lists them).")]
        [ValidateNotNullOrEmpty]
        public BackupStatus[] Status { get; set; }

        /// <summary>Only sets made at or after this time.</summary>
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Only sets made at or after this time (local time unless it says UTC).")]
        public DateTime Since { get; set; }

        /// <summary>Only the newest N sets (after the other filters).</summary>
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Only the newest N sets that pass the other filters.")]
        [ValidateRange(1, int.MaxValue)]
        public int Last { get; set; }

        /// <summary>Also list the incomplete sets of a backup root: set folders with files but no manifest.json.</summary>
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Also list the incomplete sets of a backup root (set folders or prefixes with files but no manifest.json: a killed upload or backup, a cut delete), to delete them with Remove-DoltBackup.")]
        public SwitchParameter IncludeIncomplete { get; set; }

        private bool WantsIncomplete => IncludeIncomplete || (Status != null && Status.Contains(BackupStatus.Incomplete));

        /// <summary>How to reach an object-store -Path (New-DoltBackupStorageContext); without it the default credential chain.</summary>
        [Parameter(ParameterSetName = PathSet, HelpMessage = "Connection options for an s3://, az:// or Azure Blob https:// -Path, from New-DoltBackupStorageContext.")]
        public global::DoltBackup.Storage.StorageContext StorageContext { get; set; }

        /// <summary>From a server: only these databases (wildcards).</summary>
        [Parameter(ParameterSetName = ServerSet, HelpMessage = "From a server: only the registrations of these databases (wildcards).")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Database { get; set; }

        /// <summary>From a server: leave out these databases (wildcards).</summary>
        [Parameter(ParameterSetName = ServerSet, HelpMessage = "From a server: leave out the registrations of these databases (wildcards).")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] ExcludeDatabase { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            if (ParameterSetName == PathSet && HasServerParameters)
            {
                ThrowDoltError(new ArgumentException("-Path reads backup folders; the server parameters list the backups registered on a server. Give one or the other."),
                    "InvalidGetRequest", ErrorCategory.InvalidArgument, null, "Leave out -Path to list a server's registrations, or the server parameters to read backup folders.");
            }
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ServerSet)
            {
                ListServer();
                return;
            }
            foreach (string p in Path)
            {
                if (global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(p))
                {
                    ListLocation(p);
                    continue;
                }
                string resolved = ResolveUserPath(p);
                try
                {
                    if (Directory.Exists(resolved) && !BackupCatalog.IsBackupSetFolder(resolved))
                    {
                        ListRoot(p, resolved);
                    }
                    else
                    {
                        _found.Add(ManifestStore.Read(resolved));
                    }
                }
                catch (FileNotFoundException e)
                {
                    WriteDoltError(e, "ManifestNotFound", ErrorCategory.ObjectNotFound, p,
                        "Give a backup folder that holds manifest.json, the path of a manifest.json, or a backup root with one folder per set.");
                }
                catch (DirectoryNotFoundException e)
                {
                    WriteDoltError(e, "ManifestNotFound", ErrorCategory.ObjectNotFound, p,
                        "Give a backup folder that holds manifest.json, the path of a manifest.json, or a backup root with one folder per set.");
                }
                catch (ManifestSchemaException e)
                {
                    WriteDoltError(e, "ManifestUnreadable", ErrorCategory.InvalidData, p,
                        "Use a manifest written by DoltBackup, or update the module when the manifest is newer than it.");
                }
                catch (UnauthorizedAccessException e)
                {
                    WriteDoltError(e, "ManifestAccessDenied", ErrorCategory.PermissionDenied, p, "Run as a user that can read the backup folder.");
                }
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (ParameterSetName == ServerSet)
            {
                return;
            }
            var filter = new CatalogFilter
            {
                Name = Name,
                Status = Status,
                Since = MyInvocation.BoundParameters.ContainsKey(nameof(Since)) ? Since : (DateTime?)null,
                Last = MyInvocation.BoundParameters.ContainsKey(nameof(Last)) ? Last : (int?)null,
            };
            DateTime now = DateTime.UtcNow;
            var newestFirst = BackupSetTime.SortNewestFirst(_found);
            foreach (var manifest in filter.Apply(newestFirst))
            {
                // The next cmdlet of the pipeline reaches the set (or its off-host archive) the way it was read here.
                WriteObject(Decorate(Carrying(manifest, StorageContext), now));
            }
            if (!WantsIncomplete)
            {
                if (_incomplete.Count > 0)
                {
                    WriteVerbose($"{_incomplete.Count} incomplete sets (folders without {BackupManifest.FileName}) not listed: add -IncludeIncomplete to see them.");
                }
                return;
            }
            foreach (var set in filter.ApplyIncomplete(_incomplete))
            {
                set.Age = set.LastWriteTimeUtc.HasValue ? now - set.LastWriteTimeUtc.Value : (TimeSpan?)null;
                WriteObject(set);
            }
        }

        private void ListServer()
        {
            global::DoltBackup.Server.ServerConnectionSettings settings;
            try
            {
                settings = BuildConnectionSettings();
            }
            catch (ArgumentException e)
            {
                WriteDoltError(e, "InvalidGetRequest", ErrorCategory.InvalidArgument, Server ?? ConfigPath, "Correct the server parameters.");
                return;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is Common.DoltBackupException)
            {
                WriteDoltError(e, "ConfigUnreadable", ErrorCategory.ReadError, ConfigPath, "Give a readable, valid sql-server config file.");
                return;
            }
            string server = settings.Endpoint;
            WriteVerbose($"Listing the backups registered on {server}.");
            using (var engine = DoltEngineFactory.Create(new DoltEngineRequest { Server = settings, OperationTimeout = TimeSpan.FromMinutes(5) }))
            {
                try
                {
                    new RegistrationLister(engine, server).List(
                        new RegistrationFilter { Name = Name, Database = Database, ExcludeDatabase = ExcludeDatabase },
                        WriteObject,
                        (database, e) => WriteError(Common.DoltBackupErrors.Create(e, e.ErrorId, e.Category, database,
                            e.RecommendedAction ?? "Check that the database is a Dolt database and that the account may read dolt_backups.")),
                        missing => WriteDoltError(new ArgumentException($"Database '{missing}' does not exist on {server}."), "DatabaseNotFound", ErrorCategory.ObjectNotFound, missing,
                            "Check the name with -Database '*' or SHOW DATABASES."),
                        System.Threading.CancellationToken.None);
                }
                catch (DoltEngineException e)
                {
                    WriteError(Common.DoltBackupErrors.Create(e, e.ErrorId, e.Category, server, e.RecommendedAction));
                }
            }
        }

        private void ListLocation(string url)
        {
            try
            {
                using (var location = global::DoltBackup.Storage.BackupLocations.Open(url, StorageContext))
                {
                    WriteVerbose($"Listing the backup sets at {location.DisplayName}.");
                    ReportListing(url, global::DoltBackup.Storage.Sets.RemoteSetCatalog.List(location, System.Threading.CancellationToken.None), StorageContext);
                }
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                WriteError(e.ToErrorRecord());
            }
            catch (ManifestSchemaException e)
            {
                WriteDoltError(e, "ManifestUnreadable", ErrorCategory.InvalidData, url,
                    "Use a manifest written by DoltBackup, or update the module when the manifest is newer than it.");
            }
        }

        private void ListRoot(string given, string root) => ReportListing(given, BackupCatalog.ListRoot(root), null);

        private void ReportListing(string given, CatalogListing listing, global::DoltBackup.Storage.StorageContext context)
        {
            foreach (var set in listing.Incomplete)
            {
                set.StorageContext = context;
                _incomplete.Add(set);
            }
            string root = listing.Root;
            foreach (var problem in listing.Problems)
            {
                WriteWarning($"Skipped '{problem.Path}': {problem.Error.Message}");
            }
            foreach (var folder in listing.FoldersWithoutManifest)
            {
                WriteVerbose($"'{folder}' has no {BackupManifest.FileName}: not a backup set.");
            }
            if (listing.Sets.Count == 0 && listing.Problems.Count == 0 && (!WantsIncomplete || listing.Incomplete.Count == 0))
            {
                string hint = listing.Incomplete.Count == 0 ? "" : $" It holds {listing.Incomplete.Count} incomplete sets (folders without {BackupManifest.FileName}): see them with -IncludeIncomplete.";
                WriteDoltError(new FileNotFoundException($"'{root}' holds no {BackupManifest.FileName} and no backup set folders.{hint}", root),
                    "ManifestNotFound", ErrorCategory.ObjectNotFound, given,
                    "Give a backup folder that holds manifest.json, the path of a manifest.json, or a backup root with one folder per set.");
                return;
            }
            WriteVerbose($"'{listing.Root}': {listing.Sets.Count} backup sets, {listing.Problems.Count} unreadable, {listing.Incomplete.Count} incomplete (no {BackupManifest.FileName}).");
            _found.AddRange(listing.Sets);
        }

        /// <summary>The manifest itself (so it still binds to BackupManifest parameters) with Size and Age for the listing view.</summary>
        private static PSObject Decorate(BackupManifest manifest, DateTime nowUtc)
        {
            var pso = PSObject.AsPSObject(manifest);
            if (!pso.TypeNames.Contains(ListingTypeName))
            {
                pso.TypeNames.Insert(0, ListingTypeName);
            }
            SetNote(pso, "Size", BackupSetSize.Of(manifest));
            SetNote(pso, "NewSize", BackupSetSize.NewOf(manifest));
            SetNote(pso, "Age", nowUtc - BackupSetTime.Of(manifest));
            return pso;
        }

        private static void SetNote(PSObject pso, string name, object value)
        {
            if (pso.Properties[name] is PSNoteProperty existing)
            {
                existing.Value = value;
            }
            else
            {
                pso.Properties.Add(new PSNoteProperty(name, value));
            }
        }
    }
}
