using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using IssuerAndSerialNumber = Org.BouncyCastle.Asn1.Cms.IssuerAndSerialNumber;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace DoltBackup.Encryption
{
    /// <summary>
    /// Writes CMS AuthEnvelopedData (RFC 5083) in a stream: AES-256-GCM content encryption with a fresh key and nonce
    /// per file, the key wrapped for every recipient (RSAES-OAEP-SHA256 for certificates, RFC 3211 PWRI with
    /// PBKDF2-HMAC-SHA256 and AES-256-CBC for a passphrase). BER with indefinite lengths, so nothing is buffered: a
    /// 100 GB archive passes through in fixed memory. <c>openssl cms -decrypt -inform DER</c> opens the result.
    /// </summary>
    internal sealed class CmsAuthEnvelopedWriter : Stream
    {
        private const int TagBytes = 16;
        private const int ChunkBytes = 64 * 1024;

        private readonly BerSequenceGenerator _contentInfo;
        private readonly BerSequenceGenerator _authEnveloped;
        private readonly BerSequenceGenerator _encryptedContentInfo;
        private readonly BerOctetStringGenerator _octets;
        private readonly Stream _octetStream;
        private readonly GcmBlockCipher _gcm;
        private byte[] _buffer = new byte[ChunkBytes + 2 * TagBytes];
        private long _plainBytes;
        private bool _finished;

        /// <summary>Starts an encrypted file on <paramref name="output"/> (left open when this stream is disposed).</summary>
        public CmsAuthEnvelopedWriter(Stream output, EncryptionKeys keys, PassphraseKeyCache kekCache)
        {
            if (output == null) throw new ArgumentNullException(nameof(output));
            if (keys == null) throw new ArgumentNullException(nameof(keys));
            var random = new SecureRandom();
            byte[] cek = new byte[32];
            byte[] nonce = new byte[12];
            random.NextBytes(cek);
            random.NextBytes(nonce);
            try
            {
                var recipients = new List<Asn1Encodable>();
                foreach (var certificate in keys.Certificates)
                {
                    recipients.Add(CertificateRecipient(certificate, cek));
                }
                if (keys.Passphrase != null && keys.Passphrase.Length > 0)
                {
                    recipients.Add(PassphraseRecipient(keys, kekCache ?? new PassphraseKeyCache(), cek, random));
                }

                _gcm = new GcmBlockCipher(AesUtilities.CreateEngine());
                _gcm.Init(true, new AeadParameters(new KeyParameter(cek), TagBytes * 8, nonce));

                _contentInfo = new BerSequenceGenerator(output);
                _contentInfo.AddObject(CmsObjectIdentifiers.AuthEnvelopedData);
                _authEnveloped = new BerSequenceGenerator(_contentInfo.GetRawOutputStream(), 0, true);
                _authEnveloped.AddObject(new DerInteger(0));
                _authEnveloped.AddObject(new DerSet(recipients.ToArray()));
                _encryptedContentInfo = new BerSequenceGenerator(_authEnveloped.GetRawOutputStream());
                _encryptedContentInfo.AddObject(CmsObjectIdentifiers.Data);
                _encryptedContentInfo.AddObject(new AlgorithmIdentifier(NistObjectIdentifiers.IdAes256Gcm, new GcmParameters(nonce, TagBytes)));
                _octets = new BerOctetStringGenerator(_encryptedContentInfo.GetRawOutputStream(), 0, false);
                _octetStream = _octets.GetOctetOutputStream(ChunkBytes);
            }
            finally
            {
                Array.Clear(cek, 0, cek.Length);
            }
        }

        /// <summary>The plaintext bytes written so far.</summary>
        public long PlaintextLength => _plainBytes;

        /// <inheritdoc />
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (_finished) throw new ObjectDisposedException(nameof(CmsAuthEnvelopedWriter));
            while (count > 0)
            {
                int n = Math.Min(count, ChunkBytes);
                int produced = _gcm.ProcessBytes(buffer, offset, n, _buffer, 0);
                if (produced > 0)
                {
                    _octetStream.Write(_buffer, 0, produced);
                }
                _plainBytes += n;
                offset += n;
                count -= n;
            }
        }

        /// <summary>Writes the last block, the authentication tag and the closing BER; the output stays open.</summary>
        protected override void Dispose(bool disposing)
        {
            if (disposing && !_finished)
            {
                _finished = true;
                int produced = _gcm.DoFinal(_buffer, 0);
                // GCM appends the tag to the ciphertext; CMS keeps it apart, in the mac field.
                if (produced > TagBytes)
                {
                    _octetStream.Write(_buffer, 0, produced - TagBytes);
                }
                byte[] tag = _gcm.GetMac();
                _octetStream.Dispose();
                _octets.Dispose();
                _encryptedContentInfo.Dispose();
                _authEnveloped.AddObject(new DerOctetString(tag));
                _authEnveloped.Dispose();
                _contentInfo.Dispose();
                _buffer = null;
            }
            base.Dispose(disposing);
        }

        private static Asn1Encodable CertificateRecipient(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, byte[] cek)
        {
            var bc = new BcCertificate(certificate.RawData);
            byte[] wrapped;
            using (var rsa = certificate.GetRSAPublicKey())
            {
                wrapped = rsa.Encrypt(cek, RSAEncryptionPadding.OaepSHA256);
            }
            var sha256 = new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256, DerNull.Instance);
            var oaep = new RsaesOaepParameters(sha256, new AlgorithmIdentifier(PkcsObjectIdentifiers.IdMgf1, sha256), RsaesOaepParameters.DefaultPSourceAlgorithm);
            var rid = new RecipientIdentifier(new IssuerAndSerialNumber(bc.IssuerDN, bc.SerialNumber));
            return new RecipientInfo(new KeyTransRecipientInfo(rid, new AlgorithmIdentifier(PkcsObjectIdentifiers.IdRsaesOaep, oaep), new DerOctetString(wrapped)));
        }

        private static Asn1Encodable PassphraseRecipient(EncryptionKeys keys, PassphraseKeyCache cache, byte[] cek, SecureRandom random)
        {
            var kek = cache.ForEncryption(keys);
            byte[] iv = new byte[16];
            random.NextBytes(iv);
            var wrap = new Rfc3211WrapEngine(AesUtilities.CreateEngine());
            wrap.Init(true, new ParametersWithRandom(new ParametersWithIV(new KeyParameter(kek.Key), iv), random));
            byte[] wrapped = wrap.Wrap(cek, 0, cek.Length);
            var prf = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdHmacWithSha256, DerNull.Instance);
            var kdf = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdPbkdf2, new Pbkdf2Params(kek.Salt, kek.Iterations, prf));
            var kekAlgorithm = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdAlgPwriKek, new AlgorithmIdentifier(NistObjectIdentifiers.IdAes256Cbc, new DerOctetString(iv)));
            return new RecipientInfo(new PasswordRecipientInfo(kdf, kekAlgorithm, new DerOctetString(wrapped)));
        }

        /// <inheritdoc />
        public override bool CanRead => false;
        /// <inheritdoc />
        public override bool CanSeek => false;
        /// <inheritdoc />
        public override bool CanWrite => !_finished;
        /// <inheritdoc />
        public override long Length => throw new NotSupportedException();
        /// <inheritdoc />
        public override long Position { get => _plainBytes; set => throw new NotSupportedException(); }
        /// <inheritdoc />
        public override void Flush() { }
        /// <inheritdoc />
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        /// <inheritdoc />
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        /// <inheritdoc />
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
