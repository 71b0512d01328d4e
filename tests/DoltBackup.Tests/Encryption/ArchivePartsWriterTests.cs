using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.FileCopy;
using DoltBackup.Storage;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Storage;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>Writing an encrypted archive in parts: a part that fails at once, and leftovers of an earlier archive of the name.</summary>
    public class ArchivePartsWriterTests
    {
        [Fact]
        public void A_part_whose_header_cannot_be_written_is_abandoned_and_the_error_is_the_targets()
        {
            var keys = TestKeys.Passphrase("header");
            var target = new FailingTarget();
            var chunk = new byte[4096];
            new Random(5).NextBytes(chunk);
            var e = Assert.Throws<IOException>(() =>
            {
                using (var writer = ArchiveParts.StartWriting("a.tar.p7m", 1 << 20, keys, target, hashPlaintext: false))
                {
                    writer.Write(chunk, 0, chunk.Length);
                    writer.Complete();
                }
            });
            Assert.Equal("No space left on device", e.Message);
            Assert.Equal(new[] { "a.tar.part0001.p7m" }, target.Opened);
            Assert.Equal(new[] { "a.tar.part0001.p7m" }, target.Abandoned);
            Assert.Empty(target.Completed);
            Assert.True(target.Output.Disposed);
        }

        [Fact]
        public void An_archive_streamed_as_one_object_with_Force_removes_the_parts_an_earlier_larger_archive_left()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var store = new MemoryBackupLocation();
            store.Put("s/datadir.tar.gz.part0001.p7m", new MemoryStream(new byte[] { 1 }), CancellationToken.None);
            store.Put("s/datadir.tar.gz.part0002.p7m", new MemoryStream(new byte[] { 2 }), CancellationToken.None);
            store.Put("s/other.part0001.p7m", new MemoryStream(new byte[] { 3 }), CancellationToken.None);
            var manifest = NewManifest(dir.Combine("staging", "set"));
            global::DoltBackup.Encryption.SetEncryption.Record(manifest, TestKeys.Passphrase("one object"), hasDoltStores: false);
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, SegmentBytes = 64L << 20, Overwrite = true, UploadTo = store, UploadSetKey = "s" });
            var keys = store.List("s/", CancellationToken.None).Select(o => o.Key).ToList();
            Assert.Contains("s/datadir.tar.gz.p7m", keys);
            Assert.DoesNotContain(keys, k => k.Contains("datadir.tar.gz.part"));
            Assert.Contains("s/other.part0001.p7m", keys);
            Assert.Null(manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind).Parts);
        }

        private sealed class FailingTarget : ArchiveParts.IPartTarget
        {
            public List<string> Opened { get; } = new List<string>();

            public List<string> Abandoned { get; } = new List<string>();

            public List<string> Completed { get; } = new List<string>();

            public FullDisk Output { get; private set; }

            public Stream Open(string storedName)
            {
                Opened.Add(storedName);
                return Output = new FullDisk();
            }

            public StoredObject Complete(string storedName, Stream output)
            {
                Completed.Add(storedName);
                return null;
            }

            public void Abandon(string storedName, Stream output)
            {
                Assert.Same(Output, output);
                Abandoned.Add(storedName);
                output.Dispose();
            }
        }

        private sealed class FullDisk : MemoryStream
        {
            public bool Disposed { get; private set; }

            public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");

            protected override void Dispose(bool disposing)
            {
                Disposed = true;
                base.Dispose(disposing);
            }
        }
    }
}
