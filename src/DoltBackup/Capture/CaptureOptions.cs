using System;
using System.Collections.Generic;

namespace DoltBackup.Capture
{
    /// <summary>What <see cref="ServerFileCapture"/> captures, and from where.</summary>
    public sealed class CaptureOptions
    {
        /// <summary>The sql-server YAML config (absolute or relative to the process directory); null: the manifest's
        /// Source.ConfigPath, else no YAML.</summary>
        public string ConfigPath { get; set; }

        /// <summary>The working directory of the sql-server process, against which Dolt resolves every relative path
        /// in the YAML; null: the YAML file's folder.</summary>
        public string ServerWorkingDirectory { get; set; }

        /// <summary>The data directory; null: data_dir of the YAML, else the manifest's Source.DataDir. Without any, no
        /// per-database or .doltcfg file is captured.</summary>
        public string DataDir { get; set; }

        /// <summary>The global Dolt directory; null: $DOLT_ROOT_PATH/.dolt, else $HOME/.dolt, else the user profile's .dolt.</summary>
        public string GlobalConfigDir { get; set; }

        /// <summary>Databases whose files are captured; null: every database found under the data directory.</summary>
        public IList<string> Databases { get; set; }

        /// <summary>Capture secrets too (creds/*.jwk, the profile key, TLS private keys, sql-server.info, literal
        /// passwords in the YAML), stored owner-only and marked Secret.</summary>
        public bool IncludeSecrets { get; set; }

        /// <summary>True or false when the caller knows whether a Dolt server uses the data directory; null: probed
        /// (noms/LOCK held, or sql-server.info with a port that answers).</summary>
        public bool? ServerRunning { get; set; }

        /// <summary>Reads environment variables (for ${VAR} in the YAML and the global directory); null: the process environment.</summary>
        public Func<string, string> GetEnvironment { get; set; }

        /// <summary>Called with each file's path before it is captured (for verbose output); may be null.</summary>
        public Action<string> OnFile { get; set; }
    }
}
