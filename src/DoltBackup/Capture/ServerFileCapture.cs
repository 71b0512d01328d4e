using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using DoltBackup.Common;
using DoltBackup.Config;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Capture
{
    /// <summary>
    /// Captures into a manifest's backup folder every file besides the databases' data that a full restore of a Dolt
    /// sql-server needs (dolt-reference §3, §4): the sql-server YAML and the local files it names (TLS certificate, key
    /// and CA, file:// JWKS), the global Dolt directory (config_global.json, creds/*.jwk), the data-dir root's
    /// .dolt/config.json, each database's .dolt/config.json and .dolt/repo_state.json, privilege_file and
    /// branch_control_file. Each file becomes a <see cref="BackupArtifact"/> (stored under <c>config/</c> with its
    /// SHA-256, size and mode), each deliberate omission an <see cref="OmittedFile"/> with its reason.
    /// <para>Secrets (creds/*.jwk, the <c>profile</c> key, TLS private keys, sql-server.info, literal passwords in the
    /// YAML) are left out unless <see cref="CaptureOptions.IncludeSecrets"/>, with one manifest warning; included, they
    /// are stored owner-only and marked Secret. privileges.db is always copied (Dolt writes it atomically) and stored
    /// owner-only; branch_control.db only when no Dolt process uses the data directory (Dolt rewrites it in place).
    /// A missing optional file is not an error; an unreadable one fails that artifact (Status Failed, an error in the
    /// manifest) and the rest goes on. Files are read once, hashed while they are copied, and written atomically.</para>
    /// <para>Running it again on the same manifest replaces the configuration artifacts of the previous run and
    /// deletes their stored files that are no longer referenced. It does not write manifest.json and takes no lock:
    /// the caller does both (<see cref="ManifestStore.Write"/>, <see cref="BackupSetLock"/>).</para>
    /// </summary>
    public sealed class ServerFileCapture
    {
        /// <summary>The folder, inside the backup folder, that holds every captured configuration file.</summary>
        public const string StoreFolder = "config";

        /// <summary>The error id recorded for a file that could not be captured.</summary>
        public const string CaptureFailedErrorId = "DoltBackup.CaptureFailed";

        /// <summary>Every manifest warning written by capture starts with this text (so a new run can replace them).</summary>
        public const string WarningPrefix = "Configuration capture: ";

        private readonly IServerActivityProbe _probe;

        /// <summary>Creates the service; <paramref name="probe"/> defaults to <see cref="DataDirActivityProbe"/>.</summary>
        public ServerFileCapture(IServerActivityProbe probe = null)
        {
            _probe = probe ?? new DataDirActivityProbe();
        }

        /// <summary>
        /// The global Dolt directory as Dolt finds it (env/paths.go GetCurrentUserHomeDir): $DOLT_ROOT_PATH/.dolt, else
        /// $HOME/.dolt, else the user profile's .dolt.
        /// </summary>
        public static string DefaultGlobalConfigDir(Func<string, string> getEnvironment = null)
        {
            getEnvironment = getEnvironment ?? Environment.GetEnvironmentVariable;
            string home = getEnvironment("DOLT_ROOT_PATH");
            if (string.IsNullOrEmpty(home))
            {
                home = getEnvironment("HOME");
            }
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }
            return Path.GetFullPath(Path.Combine(home, ".dolt"));
        }

        /// <summary>
        /// Captures the files into <c>manifest.BackupFolder/config/</c> and records them in the manifest. Bad input (a
        /// -ConfigPath or -DataDir that does not exist, a YAML Dolt would refuse) throws before anything is written:
        /// <see cref="FileNotFoundException"/>, <see cref="DirectoryNotFoundException"/> or <see cref="DoltBackupException"/>.
        /// </summary>
        public CaptureResult CaptureInto(BackupManifest manifest, CaptureOptions options)
        {
            if (manifest == null)
            {
                throw new ArgumentNullException(nameof(manifest));
            }
            if (string.IsNullOrEmpty(manifest.BackupFolder))
            {
                throw new InvalidOperationException("The manifest has no backup folder to capture configuration files into.");
            }
            options = options ?? new CaptureOptions();
            var env = options.GetEnvironment ?? Environment.GetEnvironmentVariable;
            var result = new CaptureResult();
            manifest.Source = manifest.Source ?? new BackupSource();

            // 1. Everything that can be refused as bad input, before any byte is written.
            string configPath = options.ConfigPath;
            if (configPath == null && !string.IsNullOrEmpty(manifest.Source.ConfigPath))
            {
                if (File.Exists(manifest.Source.ConfigPath))
                {
                    configPath = manifest.Source.ConfigPath;
                }
                else
                {
                    result.Warnings.Add($"{WarningPrefix}the manifest's sql-server config '{manifest.Source.ConfigPath}' does not exist here; it was not captured.");
                }
            }
            SqlServerConfig config = configPath == null ? null : SqlServerConfigReader.ReadFile(configPath, options.ServerWorkingDirectory, env);
            result.ServerConfig = config;

            string dataDir = null;
            if (!string.IsNullOrEmpty(options.DataDir))
            {
                dataDir = Path.GetFullPath(options.DataDir);
                if (!Directory.Exists(dataDir))
                {
                    throw new DirectoryNotFoundException($"The data directory '{dataDir}' does not exist.");
                }
            }
            else if (config != null)
            {
                dataDir = config.DataDir;
            }
            else if (!string.IsNullOrEmpty(manifest.Source.DataDir))
            {
                dataDir = Path.GetFullPath(manifest.Source.DataDir);
            }
            if (dataDir != null && !Directory.Exists(dataDir))
            {
                result.Warnings.Add($"{WarningPrefix}the data directory '{dataDir}' does not exist here: no database, privilege or branch-control file was captured." +
                    (config != null ? " Relative paths in the YAML are resolved against the server's working directory (-ServerWorkingDirectory, default the YAML's folder)." : ""));
                dataDir = null;
            }
            result.DataDir = dataDir;
            result.GlobalConfigDir = string.IsNullOrEmpty(options.GlobalConfigDir) ? DefaultGlobalConfigDir(env) : Path.GetFullPath(options.GlobalConfigDir);
            result.ServerRunning = options.ServerRunning ?? (dataDir != null && _probe.IsInUse(dataDir));

            // 2. Replace what an earlier capture recorded.
            var previous = RemovePreviousCapture(manifest);
            var run = new Run(manifest, options, result);

            // 3. The files.
            if (config != null)
            {
                CaptureServerConfig(run, config, env);
                foreach (var reference in config.ReferencedFiles)
                {
                    string kind = reference.Role == "JwksFile" ? ArtifactKind.JwksFile
                        : reference.IsPrivateKey ? ArtifactKind.TlsKey
                        : reference.Role == "TlsCa" ? ArtifactKind.TlsCa : ArtifactKind.TlsCertificate;
                    if (!Exists(reference.Path))
                    {
                        result.Warnings.Add($"{WarningPrefix}{reference.Setting} names '{reference.Path}', which does not exist; it was not captured.");
                        continue;
                    }
                    string folder = reference.Role == "JwksFile" ? "server/jwks" : "server/tls";
                    CaptureFile(run, kind, null, reference.Path, folder + "/" + Path.GetFileName(reference.Path), reference.IsPrivateKey,
                        reference.IsPrivateKey ? $"{reference.Setting} is a TLS private key" : null);
                }
            }

            CaptureGlobalDirectory(run, result.GlobalConfigDir);

            if (dataDir != null)
            {
                CaptureDataDirectory(run, dataDir, config);
            }

            if (run.SecretsLeftOut > 0)
            {
                result.Warnings.Add($"{WarningPrefix}{run.SecretsLeftOut} secret file(s) or value(s) were left out of the backup (see the manifest's Omitted list). " +
                    "Keep them elsewhere, or capture them with -IncludeSecrets (stored owner-only and marked Secret).");
            }

            // 4. Stored files of the previous capture that this one no longer references.
            DeleteStale(manifest, previous, run.UsedStoredPaths);

            manifest.Source.DataDir = manifest.Source.DataDir ?? dataDir;
            manifest.Source.ConfigPath = manifest.Source.ConfigPath ?? config?.ConfigPath;
            foreach (var w in result.Warnings)
            {
                manifest.AddWarning(w);
            }
            return result;
        }

        private void CaptureServerConfig(Run run, SqlServerConfig config, Func<string, string> env)
        {
            string path = config.ConfigPath;
            string stored = "server/" + Path.GetFileName(path);
            CaptureFile(run, ArtifactKind.ServerConfig, null, path, stored, secret: false, secretReason: null, transform: raw =>
            {
                if (run.Options.IncludeSecrets)
                {
                    // Stored as it is; owner-only when it holds a literal secret.
                    bool hasSecret = LiteralSecrets(raw, env).Count > 0;
                    return (raw, hasSecret);
                }
                var found = LiteralSecrets(raw, env, out string redactedText);
                if (found.Count == 0)
                {
                    return (raw, false);
                }
                foreach (var setting in found)
                {
                    run.Omit(ArtifactKind.ServerConfigSecret, path,
                        $"The literal value of {setting} in the sql-server config was replaced by a placeholder in the stored copy: it is a secret. " +
                        "Put it in an environment variable (${VAR}) or capture with -IncludeSecrets.");
                }
                if (redactedText == null)
                {
                    throw new InvalidDataException("The sql-server config holds a literal secret (" + string.Join(", ", found) +
                        ") that could not be removed from its text; it was not stored. Capture it with -IncludeSecrets, or use ${VAR} for the secret.");
                }
                return (new UTF8Encoding(false).GetBytes(redactedText), false);
            });
        }

        private static List<string> LiteralSecrets(byte[] raw, Func<string, string> env) => LiteralSecrets(raw, env, out _);

        // The settings with a literal secret, and the raw text with them redacted (null when the raw text cannot be
        // parsed but its expansion shows secrets).
        private static List<string> LiteralSecrets(byte[] raw, Func<string, string> env, out string redactedText)
        {
            string text = new UTF8Encoding(false).GetString(raw);
            try
            {
                redactedText = ServerConfigRedactor.Redact(text, out var redacted);
                return redacted;
            }
            catch (InvalidDataException)
            {
                // The raw text (with ${VAR} unexpanded) is not YAML on its own; its expansion is what Dolt reads.
                ServerConfigRedactor.Redact(SqlServerConfigReader.ExpandEnvironment(text, env), out var redacted);
                redactedText = redacted.Count == 0 ? text : null;
                return redacted;
            }
        }

        private void CaptureGlobalDirectory(Run run, string globalDir)
        {
            if (!Directory.Exists(globalDir))
            {
                return;
            }
            string configFile = Path.Combine(globalDir, "config_global.json");
            CaptureDoltConfigJson(run, ArtifactKind.GlobalConfig, null, configFile, "global/config_global.json");
            string creds = Path.Combine(globalDir, "creds");
            if (Directory.Exists(creds))
            {
                foreach (var jwk in SafeList(run, creds, "*.jwk"))
                {
                    CaptureFile(run, ArtifactKind.GlobalCredential, null, jwk, "global/creds/" + Path.GetFileName(jwk), secret: true,
                        secretReason: "creds/*.jwk is a DoltHub/remotesapi credential key pair");
                }
            }
        }

        private void CaptureDataDirectory(Run run, string dataDir, SqlServerConfig config)
        {
            var databases = DataDirUsage.DatabaseLockFiles(dataDir)
                .Select(d => (Name: d.Name, Dir: Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(d.LockPath)))))
                .ToList();
            bool rootIsDatabase = databases.Any(d => PathsEqual(d.Dir, dataDir));

            if (!rootIsDatabase)
            {
                CaptureDoltConfigJson(run, ArtifactKind.DataDirConfig, null, Path.Combine(dataDir, ".dolt", "config.json"), "datadir/config.json");
            }
            foreach (var name in new[] { "sql-server.info", "sql-server.lock" })
            {
                CaptureFile(run, ArtifactKind.ServerInfo, null, Path.Combine(dataDir, ".dolt", name), "datadir/" + name, secret: true,
                    secretReason: name + " holds the password of the running server's local superuser");
            }

            var wanted = run.Options.Databases;
            var matched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var db in databases)
            {
                string database = db.Name;
                if (wanted != null)
                {
                    string match = wanted.FirstOrDefault(w => NameMatches(db.Name, w));
                    if (match == null)
                    {
                        continue;
                    }
                    matched.Add(match);
                    database = match;
                }
                string dotDolt = Path.Combine(db.Dir, ".dolt");
                string folder = "databases/" + db.Name + "/";
                CaptureDoltConfigJson(run, ArtifactKind.DatabaseConfig, database, Path.Combine(dotDolt, "config.json"), folder + "config.json");
                CaptureFile(run, ArtifactKind.RepoState, database, Path.Combine(dotDolt, "repo_state.json"), folder + "repo_state.json", false, null);
            }
            if (wanted != null)
            {
                foreach (var missing in wanted.Where(w => !matched.Contains(w)))
                {
                    run.Result.Warnings.Add($"{WarningPrefix}database '{missing}' has no folder under '{dataDir}'; its config.json and repo_state.json were not captured.");
                }
            }

            // privilege_file and branch_control_file (defaults under cfg_dir, which defaults to data_dir/.doltcfg).
            string cfgDir = Path.Combine(dataDir, ".doltcfg");
            string privileges = Path.Combine(cfgDir, "privileges.db");
            string branchControl = Path.Combine(cfgDir, "branch_control.db");
            if (config == null && !Directory.Exists(cfgDir))
            {
                // Without a YAML, a server started inside the data directory without --data-dir uses ../.doltcfg when
                // that exists (sqlserver.go setupDoltConfig); with --data-dir it would have created data_dir/.doltcfg.
                string parentCfg = Path.Combine(Path.GetDirectoryName(dataDir.TrimEnd(Path.DirectorySeparatorChar)) ?? dataDir, ".doltcfg");
                if (Directory.Exists(parentCfg))
                {
                    cfgDir = parentCfg;
                    privileges = Path.Combine(cfgDir, "privileges.db");
                    branchControl = Path.Combine(cfgDir, "branch_control.db");
                    run.Result.Warnings.Add($"{WarningPrefix}'{dataDir}' has no .doltcfg, so the privilege and branch-control files were taken from '{parentCfg}', " +
                        "where a sql-server started in the data directory without --data-dir keeps them.");
                }
            }
            if (config != null)
            {
                string defaultCfg = Path.Combine(config.DataDir, ".doltcfg");
                cfgDir = PathsEqual(config.CfgDir, defaultCfg) ? cfgDir : config.CfgDir;
                privileges = PathsEqual(config.PrivilegeFile, Path.Combine(config.CfgDir, "privileges.db")) ? Path.Combine(cfgDir, "privileges.db") : config.PrivilegeFile;
                branchControl = PathsEqual(config.BranchControlFile, Path.Combine(config.CfgDir, "branch_control.db")) ? Path.Combine(cfgDir, "branch_control.db") : config.BranchControlFile;
            }
            CaptureFile(run, ArtifactKind.PrivilegeFile, null, privileges, "doltcfg/" + Path.GetFileName(privileges), false, null);
            if (Exists(branchControl))
            {
                if (run.Result.ServerRunning)
                {
                    run.Omit(ArtifactKind.BranchControlFile, branchControl,
                        "A Dolt process uses the data directory and Dolt rewrites branch_control.db in place, so a copy could be torn. " +
                        "The SQL script of Export-DoltGrants (dolt_branch_control and dolt_branch_namespace_control) covers it; copy the file when the server is stopped.");
                }
                else
                {
                    CaptureFile(run, ArtifactKind.BranchControlFile, null, branchControl, "doltcfg/" + Path.GetFileName(branchControl), false, null);
                }
            }
        }

        // config_global.json and config.json: the profile key is a secret (dolt-reference §3).
        private void CaptureDoltConfigJson(Run run, string kind, string database, string path, string stored)
        {
            CaptureFile(run, kind, database, path, stored, secret: false, secretReason: null, transform: raw =>
            {
                if (!GlobalConfigFilter.HasProfile(raw))
                {
                    return (raw, false);
                }
                if (run.Options.IncludeSecrets)
                {
                    return (raw, true);
                }
                run.Omit(ArtifactKind.GlobalConfigProfile, Path.GetFullPath(path),
                    "The 'profile' key (dolt profile entries, passwords included) was removed from the stored copy; every other key was kept. Capture with -IncludeSecrets to keep it.");
                return (GlobalConfigFilter.RemoveProfile(raw), false);
            });
        }

        /// <summary>
        /// Captures one file. A missing file is skipped silently. A secret file is omitted unless secrets are included.
        /// <paramref name="transform"/> gets the file's bytes (read once) and returns the bytes to store and whether they
        /// hold a secret.
        /// </summary>
        private void CaptureFile(Run run, string kind, string database, string path, string stored, bool secret, string secretReason,
            Func<byte[], (byte[] Bytes, bool Secret)> transform = null)
        {
            string original = Path.GetFullPath(path);
            if (!Exists(original) || !run.CapturedOriginals.Add(original))
            {
                return;
            }
            if (secret && !run.Options.IncludeSecrets)
            {
                run.Omit(kind, original, $"Secret: {secretReason}. Left out; capture it with -IncludeSecrets (stored owner-only).");
                return;
            }
            run.Options.OnFile?.Invoke(original);
            string storedPath = run.ReserveStoredPath(StoreFolder + "/" + stored);
            var artifact = new BackupArtifact { Kind = kind, Database = database, OriginalPath = original, Secret = secret };
            try
            {
                artifact.Mode = OwnerOnlyFile.GetModeText(original);
                bool ownerOnly = secret || kind == ArtifactKind.PrivilegeFile;
                if (transform == null)
                {
                    using (var input = HashedCopy.OpenRead(original))
                    {
                        Encryption.SetEncryption.StoreArtifact(run.Manifest, input, run.Manifest.BackupFolder, storedPath, ownerOnly, artifact);
                    }
                }
                else
                {
                    byte[] raw;
                    using (var input = HashedCopy.OpenRead(original))
                    using (var buffer = new MemoryStream())
                    {
                        input.CopyTo(buffer);
                        raw = buffer.ToArray();
                    }
                    var (bytes, isSecret) = transform(raw);
                    artifact.Secret = secret || isSecret;
                    Encryption.SetEncryption.StoreArtifact(run.Manifest, new MemoryStream(bytes, writable: false), run.Manifest.BackupFolder, storedPath,
                        artifact.Secret || kind == ArtifactKind.PrivilegeFile, artifact);
                }
                artifact.Status = ItemStatus.Completed;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException || e is NotSupportedException || e is System.Security.SecurityException || e is Encryption.EncryptionException)
            {
                artifact.Status = ItemStatus.Failed;
                artifact.Error = e.Message;
                string message = $"Could not capture {kind} '{original}': {e.Message}";
                run.Manifest.AddError(original, CaptureFailedErrorId, message);
                run.Result.Errors.Add(run.Manifest.Errors[run.Manifest.Errors.Count - 1]);
            }
            run.Manifest.Artifacts.Add(artifact);
            run.Result.Artifacts.Add(artifact);
        }

        private static IEnumerable<string> SafeList(Run run, string dir, string pattern)
        {
            try
            {
                return Directory.GetFiles(dir, pattern).OrderBy(f => f, StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                string message = $"Could not list '{dir}': {e.Message}";
                run.Manifest.AddError(dir, CaptureFailedErrorId, message);
                run.Result.Errors.Add(run.Manifest.Errors[run.Manifest.Errors.Count - 1]);
                return new string[0];
            }
        }

        private static List<string> RemovePreviousCapture(BackupManifest manifest)
        {
            var old = manifest.Artifacts.Where(a => ArtifactKind.IsConfigurationKind(a.Kind)).ToList();
            manifest.Artifacts.RemoveAll(a => ArtifactKind.IsConfigurationKind(a.Kind));
            manifest.Omitted.RemoveAll(o => ArtifactKind.IsConfigurationKind(o.Kind));
            manifest.Errors.RemoveAll(e => e.ErrorId == CaptureFailedErrorId);
            manifest.Warnings.RemoveAll(w => w.StartsWith(WarningPrefix, StringComparison.Ordinal));
            return old.Where(a => !string.IsNullOrEmpty(a.StoredPath)).Select(a => a.StoredPath).ToList();
        }

        // Deletes stored files of the previous capture that nothing references now, and only inside <backup>/config/.
        private static void DeleteStale(BackupManifest manifest, List<string> previous, HashSet<string> used)
        {
            string root = Path.GetFullPath(Path.Combine(manifest.BackupFolder, StoreFolder)) + Path.DirectorySeparatorChar;
            foreach (var stored in previous.Where(p => !used.Contains(p)))
            {
                if (stored.Split('/', '\\').Any(s => s == ".."))
                {
                    continue;
                }
                string full = Path.GetFullPath(Path.Combine(manifest.BackupFolder, stored.Replace('/', Path.DirectorySeparatorChar)));
                if (!full.StartsWith(root, StringComparison.Ordinal) || manifest.Artifacts.Any(a => a.StoredPath == stored))
                {
                    continue;
                }
                try
                {
                    if (File.Exists(full))
                    {
                        File.Delete(full);
                    }
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    manifest.AddWarning($"{WarningPrefix}could not delete the earlier copy '{stored}': {e.Message}");
                }
            }
        }

        private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

        private static bool PathsEqual(string a, string b) =>
            a != null && b != null && string.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar),
                OwnerOnlyFile.IsUnix ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

        // A requested database name matches its folder as Dolt maps folders to names: the same name, or (with
        // DOLT_DBNAME_REPLACE) spaces and hyphens turned into underscores (dbfactory/dirtodbname.go).
        private static bool NameMatches(string folder, string requested)
        {
            if (string.Equals(folder, requested, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            var sb = new StringBuilder();
            foreach (char c in folder.Trim())
            {
                sb.Append(char.IsWhiteSpace(c) || c == '-' ? '_' : c);
            }
            string replaced = sb.ToString();
            while (replaced.Contains("__"))
            {
                replaced = replaced.Replace("__", "_");
            }
            return string.Equals(replaced, requested, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The state of one capture run.</summary>
        private sealed class Run
        {
            public Run(BackupManifest manifest, CaptureOptions options, CaptureResult result)
            {
                Manifest = manifest;
                Options = options;
                Result = result;
            }

            public BackupManifest Manifest { get; }
            public CaptureOptions Options { get; }
            public CaptureResult Result { get; }
            public int SecretsLeftOut { get; private set; }
            public HashSet<string> UsedStoredPaths { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            public HashSet<string> CapturedOriginals { get; } = new HashSet<string>(OwnerOnlyFile.IsUnix ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

            public void Omit(string kind, string path, string reason)
            {
                var omitted = new OmittedFile { Kind = kind, OriginalPath = path, Reason = reason };
                Manifest.Omitted.Add(omitted);
                Result.Omitted.Add(omitted);
                if (!Options.IncludeSecrets && kind != ArtifactKind.BranchControlFile)
                {
                    SecretsLeftOut++;
                }
            }

            // A stored path not used yet in this run: name.ext, then name-2.ext, name-3.ext...
            public string ReserveStoredPath(string stored)
            {
                string candidate = stored;
                int slash = stored.LastIndexOf('/');
                string dir = stored.Substring(0, slash + 1);
                string file = stored.Substring(slash + 1);
                string stem = Path.GetFileNameWithoutExtension(file);
                string ext = Path.GetExtension(file);
                for (int n = 2; !UsedStoredPaths.Add(candidate); n++)
                {
                    candidate = dir + stem + "-" + n + ext;
                }
                return candidate;
            }
        }
    }
}
