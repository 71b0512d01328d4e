using System;
using System.Threading;

namespace DoltBackup.Storage
{
    /// <summary>
    /// A lock on an object store that its holder keeps alive by renewing it every <c>period</c> (an S3 lock object's
    /// expiry, an Azure blob lease). A holder that crashes stops renewing, and the lock goes stale by itself. Failures
    /// to renew or release are swallowed: the next renewal tries again, and an unreleased lock expires.
    /// </summary>
    internal abstract class RenewedLock : IStorageLock
    {
        private readonly Timer _timer;
        private int _released;

        protected RenewedLock(string key, TimeSpan period)
        {
            Key = key;
            _timer = new Timer(_ => Try(Renew), null, period, period);
        }

        public string Key { get; }

        /// <summary>Extends the lock.</summary>
        protected abstract void Renew();

        /// <summary>Gives the lock up.</summary>
        protected abstract void Release();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }
            _timer.Dispose();
            Try(Release);
        }

        private static void Try(Action action)
        {
            try
            {
                action();
            }
            catch (Exception)
            {
                // See the class: renewal is retried, and a lock that is not released expires.
            }
        }
    }
}
