using System;
using System.IO;
using DoltBackup.Encryption;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// A CMS writer whose constructor fails (its header cannot be written: a full disk, a failed upload) frees its
    /// AES-GCM cipher (an OpenSSL context where libcrypto loads) at once: nobody can dispose a stream whose constructor threw.
    /// </summary>
    public class CmsWriterFailureTests
    {
        [Fact]
        public void A_header_that_cannot_be_written_frees_the_cipher_in_the_constructor()
        {
            RecordingCipher cipher = null;
            var output = new FullDisk();
            var e = Assert.Throws<IOException>(() => new CmsAuthEnvelopedWriter(output, TestKeys.Passphrase("header fails"), null, threaded: true, hashPlaintext: true, hashCiphertext: true,
                newCipher: (key, nonce) => cipher = new RecordingCipher(GcmCipher.Create(true, key, nonce, GcmCipher.TagBytes, GcmCipher.Automatic))));
            Assert.Equal("No space left on device (test)", e.Message);
            Assert.NotNull(cipher);
            Assert.Equal(1, cipher.Disposed);
        }

        [Fact]
        public void A_writer_that_starts_frees_its_cipher_once_when_disposed()
        {
            RecordingCipher cipher = null;
            using (var output = new MemoryStream())
            {
                using (var writer = new CmsAuthEnvelopedWriter(output, TestKeys.Passphrase("header fine"), null,
                    newCipher: (key, nonce) => cipher = new RecordingCipher(GcmCipher.Create(true, key, nonce, GcmCipher.TagBytes, GcmCipher.Automatic))))
                {
                    writer.Write(new byte[] { 1, 2, 3 }, 0, 3);
                    Assert.Equal(0, cipher.Disposed);
                }
                Assert.True(output.Length > 3);
            }
            Assert.Equal(1, cipher.Disposed);
        }

        /// <summary>A real cipher that counts its disposals.</summary>
        private sealed class RecordingCipher : GcmCipher
        {
            public RecordingCipher(GcmCipher inner) => Inner = inner;

            public GcmCipher Inner { get; }

            public int Disposed { get; private set; }

            public override GcmImplementation Implementation => Inner.Implementation;

            public override int Process(byte[] input, int offset, int count, byte[] output, int outputOffset) => Inner.Process(input, offset, count, output, outputOffset);

            public override int FinishEncrypt(byte[] output, int outputOffset, out byte[] tag) => Inner.FinishEncrypt(output, outputOffset, out tag);

            public override int FinishDecrypt(byte[] tag, byte[] output, int outputOffset) => Inner.FinishDecrypt(tag, output, outputOffset);

            public override void Dispose()
            {
                Disposed++;
                Inner.Dispose();
            }
        }

        private sealed class FullDisk : MemoryStream
        {
            public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device (test)");
        }
    }
}
