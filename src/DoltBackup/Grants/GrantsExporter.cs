using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using DoltBackup.Common;
using DoltBackup.Manifest;
using DoltBackup.Server;

namespace DoltBackup.Grants
{
    /// <summary>Export-DoltGrants without PowerShell: reads a server, writes the script, stores it in a file or a backup set.</summary>
    public sealed class GrantsExporter
    {
        /// <summary>The artifact kind recorded in a manifest.</summary>
        public const string ArtifactKind = "GrantsScript";

        /// <summary>Where the script goes inside a backup folder.</summary>
        public const string StoredPath = "grants/grants.sql";

        private static readonly UTF8Encoding Utf8NoBom = new UTF8Encoding(false);
        private readonly IGrantsSource _source;

        /// <summary>An exporter over a source.</summary>
        public GrantsExporter(IGrantsSource source)
        {
            _source = source ?? throw new ArgumentNullException(nameof(source));
        }

        /// <summary>An exporter that reads a MySQL-protocol server.</summary>
        public static GrantsExporter ForServer(ServerConnectionSettings settings) => new GrantsExporter(new MySqlGrantsSource(settings));

        /// <summary>Reads the server and writes the script.</summary>
        public GrantsExport Export(GrantsReadOptions read, GrantsScriptOptions script)
        {
            script = script ?? new GrantsScriptOptions();
            var snapshot = _source.Read(read ?? new GrantsReadOptions());
            return new GrantsExport { Snapshot = snapshot, Script = GrantsScriptWriter.Write(snapshot, script), PasswordsIncluded = !script.ExcludePassword };
        }

        /// <summary>The script text of an export (it may hold password hashes: never log it).</summary>
        public static string ScriptText(GrantsExport export) => export.Script;

        /// <summary>Writes the script to a file, owner-only (0600), atomically; returns the file's result.</summary>
        public static GrantsExportResult WriteFile(GrantsExport export, string path)
        {
            byte[] bytes = Utf8NoBom.GetBytes(export.Script);
            AtomicFile.WriteAllBytes(path, bytes, ownerOnly: true);
            return Describe(export, Path.GetFullPath(path), bytes);
        }

        /// <summary>
        /// Stores the script as grants/grants.sql in the manifest's backup folder (owner-only), records it as a
        /// GrantsScript artifact (replacing an earlier one), records failed accounts as manifest errors, and rewrites
        /// manifest.json atomically.
        /// </summary>
        public static GrantsExportResult WriteToBackup(GrantsExport export, BackupManifest manifest)
        {
            byte[] bytes = Utf8NoBom.GetBytes(export.Script);
            manifest.Artifacts.RemoveAll(a => a.Kind == ArtifactKind && IsGrantsPath(a.StoredPath));
            var artifact = new BackupArtifact { Kind = ArtifactKind, Secret = export.PasswordsIncluded, Status = ItemStatus.Completed };
            Encryption.SetEncryption.StoreArtifact(manifest, new MemoryStream(bytes, writable: false), manifest.BackupFolder, StoredPath, ownerOnly: true, artifact);
            string file = Path.Combine(manifest.BackupFolder, artifact.StoredPath.Replace('/', Path.DirectorySeparatorChar));
            artifact.Mode = OwnerOnlyFile.GetModeText(file);
            var result = Describe(export, file, bytes);
            Array.Clear(bytes, 0, bytes.Length);
            if (export.Snapshot.Failures.Count > 0)
            {
                artifact.Error = $"{export.Snapshot.Failures.Count} account(s) not exported: " + string.Join(", ", export.Snapshot.Failures.Select(f => f.Account.ToString()));
            }
            manifest.Artifacts.Add(artifact);
            foreach (var f in export.Snapshot.Failures)
            {
                manifest.AddError(f.Account.ToString(), "DoltBackup.GrantsAccountFailed", "The grants of " + f.Account + " could not be read: " + f.Message);
            }
            foreach (var w in export.Snapshot.Warnings)
            {
                manifest.AddWarning(w);
            }
            ManifestStore.Write(manifest);
            return result;
        }

        /// <summary>Records a failed export in the manifest (a Failed GrantsScript artifact and an error) and rewrites it.</summary>
        public static void RecordFailure(BackupManifest manifest, string errorId, string message)
        {
            manifest.Artifacts.RemoveAll(a => a.Kind == ArtifactKind && IsGrantsPath(a.StoredPath));
            manifest.Artifacts.Add(new BackupArtifact { Kind = ArtifactKind, StoredPath = StoredPath, Status = ItemStatus.Failed, Error = message });
            manifest.AddError("grants", errorId, message);
            ManifestStore.Write(manifest);
        }

        private static bool IsGrantsPath(string stored) => stored == StoredPath || stored == StoredPath + ".p7m";

        private static GrantsExportResult Describe(GrantsExport export, string path, byte[] bytes)
        {
            var s = export.Snapshot;
            using (var sha = SHA256.Create())
            {
                return new GrantsExportResult
                {
                    Path = path,
                    Server = s.Endpoint,
                    ServerKind = s.Kind.ToString(),
                    ServerVersion = s.Kind == ServerKind.Dolt ? s.DoltVersion : s.ServerVersion,
                    Accounts = s.Accounts.Count(a => !a.IsRole),
                    Roles = s.Accounts.Count(a => a.IsRole),
                    BranchControlRows = s.HasBranchControl ? s.BranchControl.Count + s.BranchNamespaceControl.Count : 0,
                    FailedAccounts = s.Failures.Select(f => f.Account.ToString()).ToArray(),
                    PasswordsIncluded = export.PasswordsIncluded,
                    Size = bytes.Length,
                    Sha256 = string.Concat(sha.ComputeHash(bytes).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))),
                };
            }
        }
    }
}
