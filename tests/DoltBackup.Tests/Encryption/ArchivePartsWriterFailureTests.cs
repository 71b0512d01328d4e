using System;
using System.Collections.Generic;
using System.IO;
using DoltBackup.FileCopy;
using DoltBackup.Storage;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>A part whose very first write (the CMS header) fails is given back to its target, not left open.</summary>
    public class ArchivePartsWriterFailureTests
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
                using (var writer = ArchiveParts.StartWriting("a.tar.p7m", 1 << 20, keys, target))
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
