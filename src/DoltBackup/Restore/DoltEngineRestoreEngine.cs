using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;

namespace DoltBackup.Restore
{
    /// <summary>
    /// <see cref="IRestoreEngine"/> over the module's Dolt seam (<see cref="IDoltEngine"/>): <c>dolt_backup('restore', ...)</c>
    /// on a server, or <c>dolt backup restore</c> in an offline data directory. Engine failures become
    /// <see cref="RestoreEngineException"/>s with the engine's error id, category and recommended action.
    /// </summary>
    public sealed class DoltEngineRestoreEngine : IRestoreEngine
    {
        private readonly IDoltEngine _engine;

        /// <summary>Wraps (and, on dispose, disposes) <paramref name="engine"/>.</summary>
        public DoltEngineRestoreEngine(IDoltEngine engine)
        {
            _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        }

        /// <inheritdoc />
        public string Description => _engine.Description;

        /// <inheritdoc />
        public Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken) => Translate(() => _engine.ListDatabasesAsync(cancellationToken));

        /// <inheritdoc />
        public Task RestoreAsync(string url, string database, bool force, CancellationToken cancellationToken)
            => Translate(async () =>
            {
                await _engine.RestoreBackupAsync(url, database, force, cancellationToken).ConfigureAwait(false);
                return true;
            });

        /// <inheritdoc />
        public Task<RestoredDatabaseState> GetStateAsync(string database, CancellationToken cancellationToken)
            => Translate(async () =>
            {
                var state = await _engine.GetDatabaseStateAsync(database, cancellationToken).ConfigureAwait(false);
                return new RestoredDatabaseState { Branches = state.Branches, Tags = state.Tags, WorkingSetHash = state.WorkingSetHash };
            });

        /// <inheritdoc />
        public void Dispose() => _engine.Dispose();

        private static async Task<T> Translate<T>(Func<Task<T>> call)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (DoltEngineException e)
            {
                throw new RestoreEngineException(e.Message, e.ErrorId, e.Category, e.RecommendedAction, e.IsConnectionLevel, e);
            }
        }
    }
}
