using System;
using System.Threading;
using DoltBackup.Common;
using DoltBackup.Engine;
using DoltBackup.Server;

namespace DoltBackup.Retention
{
    /// <summary>Remove-DoltBackup -Unregister through the Dolt engine seam: <c>dolt_backup('remove', name)</c> per database.</summary>
    public sealed class EngineBackupUnregistrar : IBackupUnregistrar, IDisposable
    {
        private readonly IDoltEngine _engine;

        /// <summary>Connects to the server of <paramref name="settings"/> (lazily, at the first call).</summary>
        public EngineBackupUnregistrar(ServerConnectionSettings settings)
            : this(DoltEngineFactory.Create(new DoltEngineRequest { Server = settings, OperationTimeout = TimeSpan.FromMinutes(5) }))
        {
        }

        internal EngineBackupUnregistrar(IDoltEngine engine) => _engine = engine;

        /// <inheritdoc />
        public void Unregister(string database, string backupName)
        {
            try
            {
                _engine.RemoveBackupAsync(database, backupName, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (DoltEngineException e) when (e.Kind == DoltErrorKind.BackupNotFound)
            {
                // Not registered (any more): the goal is reached.
            }
            catch (DoltEngineException e)
            {
                throw new DoltBackupException($"dolt_backup('remove', '{backupName}') in database '{database}' failed: {e.Message}", e);
            }
        }

        /// <inheritdoc />
        public void Dispose() => _engine.Dispose();
    }
}
