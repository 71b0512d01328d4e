using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DoltBackup.Common;

namespace DoltBackup.Manifest
{
    /// <summary>Reads and writes manifest.json: stable camelCase JSON, atomic writes, schema checks.</summary>
    public static class ManifestStore
    {
        internal static readonly JsonSerializerOptions JsonOptions = CreateOptions();

        private static JsonSerializerOptions CreateOptions()
        {
            var options = new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
                WriteIndented = true,
                DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                ReadCommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            };
            options.Converters.Add(new JsonStringEnumConverter());
            return options;
        }

        private static string Describe(string path) => path == null ? "The manifest" : $"The manifest '{path}'";

        /// <summary>The manifest as JSON text.</summary>
        public static string ToJson(BackupManifest manifest) => JsonSerializer.Serialize(manifest, JsonOptions);

        /// <summary>
        /// Parses manifest JSON. Unknown fields are ignored; a schemaVersion newer than this module's is refused with
        /// a <see cref="ManifestSchemaException"/> that says to update the module.
        /// </summary>
        public static BackupManifest FromJson(string json, string path = null)
        {
            int version;
            try
            {
                using (var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }))
                {
                    if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        throw new ManifestSchemaException(path, Describe(path) + " is not a DoltBackup manifest: its JSON is not an object.");
                    }
                    if (!doc.RootElement.TryGetProperty("schemaVersion", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out version))
                    {
                        throw new ManifestSchemaException(path, Describe(path) + " is not a DoltBackup manifest: it has no numeric schemaVersion.");
                    }
                }
            }
            catch (JsonException e)
            {
                throw new ManifestSchemaException(path, Describe(path) + " is not valid JSON: " + e.Message, e);
            }

            if (version > BackupManifest.CurrentSchemaVersion)
            {
                throw new ManifestSchemaException(path,
                    $"{Describe(path)} has schemaVersion {version}, but this DoltBackup {ModuleInfo.Version} reads schema versions up to " +
                    $"{BackupManifest.CurrentSchemaVersion}. Update the module (Update-Module DoltBackup) to read it.");
            }
            if (version < 1)
            {
                throw new ManifestSchemaException(path, $"{Describe(path)} has an invalid schemaVersion {version}.");
            }

            try
            {
                var manifest = JsonSerializer.Deserialize<BackupManifest>(json, JsonOptions);
                manifest.Databases = manifest.Databases ?? new System.Collections.Generic.List<DatabaseBackupItem>();
                manifest.Artifacts = manifest.Artifacts ?? new System.Collections.Generic.List<BackupArtifact>();
                manifest.Omitted = manifest.Omitted ?? new System.Collections.Generic.List<OmittedFile>();
                manifest.Snapshots = manifest.Snapshots ?? new System.Collections.Generic.List<VolumeSnapshot>();
                manifest.Warnings = manifest.Warnings ?? new System.Collections.Generic.List<string>();
                manifest.Errors = manifest.Errors ?? new System.Collections.Generic.List<BackupError>();
                manifest.Source = manifest.Source ?? new BackupSource();
                manifest.Destination = manifest.Destination ?? new BackupDestination();
                return manifest;
            }
            catch (JsonException e)
            {
                throw new ManifestSchemaException(path, Describe(path) + " could not be read: " + e.Message, e);
            }
        }

        /// <summary>
        /// Reads a manifest from a backup folder or a manifest.json path. The returned manifest's backup folder is
        /// the folder the file was read from (a moved backup folder keeps working).
        /// </summary>
        public static BackupManifest Read(string path)
        {
            string file = ResolveManifestPath(path);
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"No {BackupManifest.FileName} at '{file}'. Give a backup folder or the path of a manifest.json.", file);
            }
            var manifest = FromJson(File.ReadAllText(file, Encoding.UTF8), file);
            manifest.Destination.BackupFolder = Path.GetDirectoryName(Path.GetFullPath(file));
            return manifest;
        }

        /// <summary>The manifest file for a folder or file path.</summary>
        public static string ResolveManifestPath(string path)
        {
            string full = Path.GetFullPath(path);
            return Directory.Exists(full) ? Path.Combine(full, BackupManifest.FileName) : full;
        }

        /// <summary>
        /// Writes the manifest into its backup folder atomically (temp file in the same folder, flush to disk, rename),
        /// so a crash never leaves half a manifest. The status is recomputed from the items first.
        /// </summary>
        public static string Write(BackupManifest manifest)
        {
            if (string.IsNullOrEmpty(manifest.BackupFolder))
            {
                throw new InvalidOperationException("The manifest has no backup folder to be written to.");
            }
            Directory.CreateDirectory(manifest.BackupFolder);
            manifest.RefreshStatus();
            manifest.ModuleVersion = manifest.ModuleVersion ?? ModuleInfo.Version;
            string path = Path.Combine(manifest.BackupFolder, BackupManifest.FileName);
            AtomicFile.WriteAllText(path, ToJson(manifest), ownerOnly: false);
            return path;
        }
    }
}
