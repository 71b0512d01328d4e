using System;
using System.IO;
using System.Management.Automation;
using System.Threading;
using DoltBackup.Verification;

namespace DoltBackup.Storage.Sets
{
    /// <summary>
    /// The stored files of an object-store set read as streams by a restore (nothing spooled to disk): each read reports
    /// the bytes downloaded so far of <c>total</c> as a <see cref="TransferProgress"/> ("Downloading"), and a read that
    /// fails midway (a cut connection) becomes a StorageException naming the object and what to do.
    /// </summary>
    public sealed class StreamedDownload : SetFileSource
    {
        private readonly SetFileSource _inner;
        private readonly Action<TransferProgress> _progress;
        private readonly long _total;
        private readonly SecretScrubber _scrubber;
        private long _done;

        /// <summary>
        /// Reads <paramref name="inner"/>'s files, reporting to <paramref name="progress"/> (may be null) against
        /// <paramref name="total"/> bytes. A failure's text is scrubbed of <paramref name="context"/>'s secrets and any
        /// SAS signature before it reaches the user.
        /// </summary>
        public StreamedDownload(SetFileSource inner, long total, Action<TransferProgress> progress, StorageContext context = null)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            _total = total;
            _progress = progress;
            _scrubber = new SecretScrubber(context);
        }

        /// <summary>Bytes read from the object store so far.</summary>
        public long BytesDownloaded => Interlocked.Read(ref _done);

        /// <inheritdoc />
        public override string Display(string storedPath) => _inner.Display(storedPath);

        /// <inheritdoc />
        public override long? SizeOf(string storedPath) => _inner.SizeOf(storedPath);

        /// <inheritdoc />
        public override Stream Open(string storedPath, CancellationToken cancellationToken)
        {
            string display = Display(storedPath);
            _progress?.Invoke(new TransferProgress("Downloading", display, BytesDownloaded, _total));
            return new ReportingStream(_inner.Open(storedPath, cancellationToken), this, display);
        }

        private void Read(int n, string display)
        {
            long before = Interlocked.Add(ref _done, n) - n;
            // About every 4 MiB: a progress record per buffer would cost more than the transfer.
            if (_progress != null && (before >> 22) != ((before + n) >> 22))
            {
                _progress(new TransferProgress("Downloading", display, before + n, _total));
            }
        }

        private sealed class ReportingStream : Common.ForwardReadStream
        {
            private readonly Stream _inner;
            private readonly StreamedDownload _owner;
            private readonly string _display;

            public ReportingStream(Stream inner, StreamedDownload owner, string display)
            {
                _inner = inner;
                _owner = owner;
                _display = display;
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                int n;
                try
                {
                    n = _inner.Read(buffer, offset, count);
                }
                catch (Exception e) when (!(e is OperationCanceledException) && !(e is StorageException))
                {
                    // Whatever the driver's stream throws (an IOException, the Azure SDK's failed retries): the transfer broke.
                    throw new StorageException("StorageReadFailed", ErrorCategory.ReadError, _display,
                        $"Reading '{_display}' failed midway: {_owner._scrubber.Scrub(DriverSupport.FirstLine(DriverSupport.Innermost(e).Message))}.",
                        "Check the connection to the object store and run again; a restore moves nothing into place after such a failure.");
                }
                if (n > 0)
                {
                    _owner.Read(n, _display);
                }
                return n;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _inner.Dispose();
                    _owner._progress?.Invoke(new TransferProgress("Downloading", _display, _owner.BytesDownloaded, _owner._total));
                }
                base.Dispose(disposing);
            }
        }
    }
}
