using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;

namespace DoltBackup.Verification
{
    /// <summary>
    /// One generation of a Dolt store kept as objects (a staged store in an object store): each file by its name in
    /// the store, opened for one sequential read of its plaintext.
    /// </summary>
    internal abstract class StoreObjects
    {
        /// <summary>Where the generation is, for messages (a URL).</summary>
        public abstract string Dir { get; }
        /// <summary>The URL shown for one of its files.</summary>
        public abstract string Display(string name);
        /// <summary>The file's size in bytes (its plaintext); null when there is no such object.</summary>
        public abstract long? SizeOf(string name);
        /// <summary>The names of the generation's files.</summary>
        public abstract IEnumerable<string> Names();
        /// <summary>The oldgen generation, or null.</summary>
        public abstract StoreObjects Oldgen { get; }
        /// <summary>
        /// Opens a file for one read to its end; a read throws <see cref="InvalidDataException"/> when the object does
        /// not match what the set records of it (checked at its end), or cannot be read whole.
        /// </summary>
        public abstract Stream Open(string name, CancellationToken cancellationToken);
    }

    /// <summary>
    /// A store generation read from objects (<see cref="StoreObjects"/>): the same checks, verdicts and result names as
    /// a folder, each file streamed once through <see cref="StreamedStoreFileChecker"/>, nothing written to disk (except
    /// a .darc archive larger than the memory budget under -Deep, spooled to one owner-only temporary file while checked).
    /// </summary>
    internal sealed class StreamedStoreGeneration : StoreGeneration
    {
        /// <summary>Why a read ended early.</summary>
        internal const string Truncated = "the object ended before its listed size (it was cut, or replaced while it was read)";

        private readonly StoreObjects _objects;
        private readonly StreamedStoreFileChecker _checker;
        private readonly VerificationOptions _options;
        private readonly bool _isOldgen;

        public StreamedStoreGeneration(StoreObjects objects, VerificationOptions options, bool isOldgen = false)
        {
            _objects = objects;
            _options = options ?? new VerificationOptions();
            _checker = new StreamedStoreFileChecker(_options, Truncated);
            _isOldgen = isOldgen;
        }

        public override string Dir => _objects.Dir;
        public override string PathOf(string name) => _objects.Display(name);
        public override bool HasManifest => _objects.SizeOf("manifest") != null;
        public override bool Exists(string name) => _objects.SizeOf(name) != null;
        public override IEnumerable<string> FileNames() => _objects.Names().ToList();

        public override StoreGeneration Oldgen
            => !_isOldgen && _objects.Oldgen != null ? new StreamedStoreGeneration(_objects.Oldgen, _options, isOldgen: true) : null;

        public override string ReadManifestText()
        {
            try
            {
                using (var stream = _objects.Open("manifest", _options.CancellationToken))
                using (var reader = new StreamReader(stream, System.Text.Encoding.UTF8))
                {
                    return reader.ReadToEnd();
                }
            }
            catch (Exception e) when (e is InvalidDataException || e is Storage.StorageException)
            {
                throw new IOException(e.Message, e);
            }
        }

        public override void CheckJournal(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx)
            => CheckFile(spec.Name, spec, ctx.ForFile(spec, manifest));

        public override void CheckTable(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx)
            => CheckFile(spec.Name, spec, ctx.ForFile(spec, null));

        public override void CheckArchive(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx)
            => CheckFile(spec.Name + ".darc", spec, ctx.ForFile(spec, null));

        private void CheckFile(string fileName, NbsTableSpec spec, StoreCheckContext ctx)
        {
            string shown = PathOf(fileName);
            long size = _objects.SizeOf(fileName) ?? 0;
            try
            {
                using (var data = _objects.Open(fileName, _options.CancellationToken))
                {
                    _checker.Check(data, size, fileName, spec.Name, shown, ctx);
                    // Read to its end: an encrypted object is authenticated, and matched with its record, there.
                    data.CopyTo(Stream.Null, 1 << 16);
                }
            }
            catch (Exception e) when (e is InvalidDataException || e is Storage.StorageException)
            {
                ctx.Failed("Store.FileReadable", $"{fileName} cannot be read: {e.Message}", shown);
            }
        }
    }
}
