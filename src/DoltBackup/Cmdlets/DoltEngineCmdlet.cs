using System;
using System.Management.Automation;
using System.Threading;
using DoltBackup.Common;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// Server-facing cmdlets that can also work offline on a data directory through the dolt CLI: adds -DataDir,
    /// -DoltPath and -OperationTimeout, builds the <see cref="DoltEngineRequest"/>, and turns StopProcessing (Ctrl+C)
    /// into a cancellation token.
    /// </summary>
    public abstract class DoltEngineCmdlet : DoltServerCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>An offline data directory, driven through the dolt CLI instead of a server.</summary>
        [Parameter(HelpMessage = "An offline Dolt data directory, used through the dolt CLI instead of a server.")]
        [ValidateNotNullOrEmpty]
        public string DataDir { get; set; }

        /// <summary>The dolt binary for -DataDir (default: dolt from PATH).</summary>
        [Parameter(HelpMessage = "The dolt binary used with -DataDir (default: dolt from PATH).")]
        [ValidateNotNullOrEmpty]
        public string DoltPath { get; set; }

        /// <summary>Seconds one Dolt operation may run (0: no limit).</summary>
        [Parameter(HelpMessage = "Seconds one Dolt operation (one database's sync, one dolt command) may run; 0 means no limit. Default 14400 (4 hours).")]
        [ValidateRange(0, int.MaxValue)]
        public int OperationTimeout { get; set; } = 14400;

        /// <summary>Fires when the user presses Ctrl+C.</summary>
        protected CancellationToken StopToken => _stop.Token;

        /// <summary>True when -DataDir was given.</summary>
        protected bool IsOfflineRequested => MyInvocation.BoundParameters.ContainsKey(nameof(DataDir));

        /// <summary>Builds the request from this cmdlet's parameters (throws ArgumentException for -DataDir with -Server).</summary>
        protected DoltEngineRequest BuildEngineRequest()
        {
            var request = new DoltEngineRequest { OperationTimeout = TimeSpan.FromSeconds(OperationTimeout) };
            if (IsOfflineRequested)
            {
                if (HasServerParameters)
                {
                    throw new ArgumentException("-DataDir works offline through the dolt CLI; it cannot be combined with -Server or -ConfigPath. Use one or the other.");
                }
                request.DataDir = ResolveUserPath(DataDir);
                request.DoltPath = ResolveDoltPath(DoltPath);
                return request;
            }
            request.Server = BuildConnectionSettings();
            return request;
        }

        /// <summary>A -DoltPath with a directory part is resolved against the current location; a bare name is looked up on PATH by the OS.</summary>
        protected string ResolveDoltPath(string doltPath)
        {
            if (string.IsNullOrEmpty(doltPath))
            {
                return null;
            }
            return doltPath.IndexOfAny(new[] { '/', '\\' }) >= 0 ? ResolveUserPath(doltPath) : doltPath;
        }

        /// <summary>What to record as the manifest's source for a request.</summary>
        protected BackupSource DescribeSource(DoltEngineRequest request)
        {
            if (request.IsOffline)
            {
                return new BackupSource { DataDir = request.DataDir };
            }
            return new BackupSource
            {
                Server = string.IsNullOrEmpty(request.Server.Socket) ? request.Server.Host : request.Server.Socket,
                Port = string.IsNullOrEmpty(request.Server.Socket) ? request.Server.Port : (int?)null,
                ConfigPath = ServerConfig?.ConfigPath,
                DataDir = ServerConfig?.DataDir,
            };
        }

        /// <summary>Refuses -DataDir when a Dolt process uses the directory (throws <see cref="DoltEngineException"/>).</summary>
        protected static void EnsureOfflineAllowed(DoltEngineRequest request)
        {
            if (request.IsOffline)
            {
                OfflineDataDirGuard.EnsureNotInUse(request.DataDir);
            }
        }

        /// <summary>The ErrorRecord for an engine failure.</summary>
        protected static ErrorRecord EngineError(DoltEngineException e, object target)
            => DoltBackupErrors.Create(e, e.ErrorId, e.Category, target, e.RecommendedAction);

        /// <summary>Unwraps the exception of a failed task.</summary>
        protected static Exception Unwrap(Exception e)
        {
            while (e is AggregateException agg && agg.InnerExceptions.Count == 1)
            {
                e = agg.InnerException;
            }
            return e;
        }

        /// <inheritdoc />
        protected override void StopProcessing()
        {
            _stop.Cancel();
            base.StopProcessing();
        }
    }
}
