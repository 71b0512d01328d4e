using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using DoltBackup.Manifest;

namespace DoltBackup.Catalog
{
    /// <summary>
    /// Reads one manifest.json for a listing: the file's bytes are read once and deserialized straight from UTF-8,
    /// after a forward-only skim of the top-level properties for <c>schemaVersion</c> (no DOM is built). Every file
    /// that the skim does not accept goes through <see cref="ManifestStore.FromJson"/>, so bad, foreign and too-new
    /// manifests fail with exactly the messages <see cref="ManifestStore.Read"/> gives.
    /// </summary>
    public static class ManifestFileReader
    {
        private static readonly JsonReaderOptions SkimOptions = new JsonReaderOptions
        {
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        };

        /// <summary>
        /// Reads the manifest at <paramref name="manifestFile"/>; its backup folder becomes the folder the file is in.
        /// Throws <see cref="ManifestSchemaException"/> for a file that is not a readable DoltBackup manifest, and the
        /// usual IO exceptions when the file cannot be read.
        /// </summary>
        public static BackupManifest Read(string manifestFile)
        {
            byte[] bytes = File.ReadAllBytes(manifestFile);
            var manifest = Parse(bytes, manifestFile);
            manifest.Destination.BackupFolder = Path.GetDirectoryName(Path.GetFullPath(manifestFile));
            return manifest;
        }

        /// <summary>Parses manifest bytes (UTF-8, with or without a byte-order mark).</summary>
        public static BackupManifest Parse(byte[] bytes, string path)
        {
            int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            var utf8 = new ReadOnlySpan<byte>(bytes, start, bytes.Length - start);
            if (!TrySkimSchemaVersion(utf8, out int version) || version < 1 || version > BackupManifest.CurrentSchemaVersion)
            {
                // The canonical parser produces the canonical error (or, should the skim be stricter than it, the manifest).
                return ManifestStore.FromJson(Encoding.UTF8.GetString(bytes, start, bytes.Length - start), path);
            }
            BackupManifest manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<BackupManifest>(utf8, ManifestStore.JsonOptions);
            }
            catch (JsonException)
            {
                return ManifestStore.FromJson(Encoding.UTF8.GetString(bytes, start, bytes.Length - start), path);
            }
            manifest.Databases = manifest.Databases ?? new List<DatabaseBackupItem>();
            manifest.Artifacts = manifest.Artifacts ?? new List<BackupArtifact>();
            manifest.Omitted = manifest.Omitted ?? new List<OmittedFile>();
            manifest.Snapshots = manifest.Snapshots ?? new List<VolumeSnapshot>();
            manifest.Warnings = manifest.Warnings ?? new List<string>();
            manifest.Errors = manifest.Errors ?? new List<BackupError>();
            manifest.Source = manifest.Source ?? new BackupSource();
            manifest.Destination = manifest.Destination ?? new BackupDestination();
            return manifest;
        }

        /// <summary>Finds the top-level numeric schemaVersion without building a document.</summary>
        private static bool TrySkimSchemaVersion(ReadOnlySpan<byte> utf8, out int version)
        {
            version = 0;
            try
            {
                var reader = new Utf8JsonReader(utf8, SkimOptions);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isVersion = reader.ValueTextEquals("schemaVersion");
                    if (!reader.Read())
                    {
                        return false;
                    }
                    if (isVersion)
                    {
                        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out version);
                    }
                    if (!reader.TrySkip())
                    {
                        return false;
                    }
                }
                return false;
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }
}
