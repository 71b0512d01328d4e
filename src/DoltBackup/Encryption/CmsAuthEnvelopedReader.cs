using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
using DoltBackup.FileCopy;
using IssuerAndSerialNumber = Org.BouncyCastle.Asn1.Cms.IssuerAndSerialNumber;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace DoltBackup.Encryption
{
    /// <summary>
    /// Reads CMS AuthEnvelopedData with AES-GCM content (ours, or <c>openssl cms -encrypt -aes-256-gcm</c>) in a stream.
    /// The plaintext is released as it is decrypted; the authentication tag is checked when the end is reached, and a
    /// modified or cut-short file throws <see cref="EncryptionException"/> there. Callers therefore write what they read
    /// to a staging place and use it only after the stream ended without an exception.
    /// </summary>
    internal sealed class CmsAuthEnvelopedReader : Common.ForwardReadStream
    {
        private const int BlockBytes = 1024 * 1024;
        private const int PipelineBlocks = 6;

        private readonly AuthEnvelopedDataParser _parser;
        private readonly Stream _input;
        private readonly Stream _content;
        private readonly GcmCipher _gcm;
        private readonly BlockPipeline _pipeline;
        private readonly bool _threaded;
        private readonly Sha256Hasher _plainSha;
        private BlockPipeline.Block _current;
        private int _plainStart;
        private byte[] _tag;
        private bool _contentDone;
        private volatile bool _verified;
        private bool _ended;
        private long _position;
        private string _plainHex;

        /// <summary>Opens an encrypted file with any key of <paramref name="keys"/> that fits one of its recipients.</summary>
        /// <param name="input">The CMS bytes; with <paramref name="threaded"/> read from a worker thread once reading begins.</param>
        /// <param name="keys">The keys to try.</param>
        /// <param name="kekCache">Passphrase key cache (may be null).</param>
        /// <param name="name">The name used in error messages.</param>
        /// <param name="ownsInput">Dispose <paramref name="input"/> with this stream.</param>
        /// <param name="threaded">Read, parse and decrypt on a thread of its own, and hash the plaintext on another (a large file read to its end).</param>
        /// <param name="hashPlaintext">Compute <see cref="PlaintextSha256"/> of what was decrypted.</param>
        public CmsAuthEnvelopedReader(Stream input, EncryptionKeys keys, PassphraseKeyCache kekCache, string name, bool ownsInput = false, bool threaded = false, bool hashPlaintext = false)
        {
            if (input == null) throw new ArgumentNullException(nameof(input));
            _input = ownsInput ? input : null;
            try
            {
                var contentInfo = new ContentInfoParser((Asn1SequenceParser)new Asn1StreamParser(input).ReadObject());
                if (!CmsObjectIdentifiers.AuthEnvelopedData.Equals(contentInfo.ContentType))
                {
                    throw new EncryptionException($"'{name}' is not a CMS AuthEnvelopedData file (content type {contentInfo.ContentType}).");
                }
                _parser = new AuthEnvelopedDataParser((Asn1SequenceParser)contentInfo.GetContent(Asn1Tags.Sequence));
                _parser.GetOriginatorInfo();
                var recipients = new List<RecipientInfo>();
                var set = _parser.GetRecipientInfos();
                IAsn1Convertible item;
                while ((item = set.ReadObject()) != null)
                {
                    recipients.Add(RecipientInfo.GetInstance(item.ToAsn1Object()));
                }
                var info = _parser.GetAuthEncryptedContentInfo();
                var algorithm = info.ContentEncryptionAlgorithm;
                int keyBytes = GcmKeyBytes(algorithm.Algorithm);
                if (keyBytes == 0)
                {
                    throw new EncryptionException($"'{name}' uses content encryption {algorithm.Algorithm}; DoltBackup reads AES-GCM only.");
                }
                var gcmParameters = GcmParameters.GetInstance(algorithm.Parameters);
                byte[] cek = UnwrapContentKey(recipients, keys, kekCache ?? new PassphraseKeyCache(), name);
                try
                {
                    if (cek.Length != keyBytes)
                    {
                        throw new EncryptionException($"'{name}': the unwrapped key has {cek.Length} bytes, the algorithm needs {keyBytes}; the file is damaged.");
                    }
                    _gcm = GcmCipher.Create(false, cek, gcmParameters.GetNonce(), gcmParameters.IcvLen);
                }
                finally
                {
                    Array.Clear(cek, 0, cek.Length);
                }
                var octets = info.GetEncryptedContent(Asn1Tags.OctetString) as Asn1OctetStringParser;
                _content = octets?.GetOctetStream() ?? Stream.Null;
                Name = name;
                _threaded = threaded;
                _plainSha = hashPlaintext ? new Sha256Hasher() : null;
                // Reading, parsing and AES-GCM on the producer's thread (about as much CPU as the consumer's work on
                // the plaintext: two busy threads for two cores, one handoff per block); the plaintext hash on its own.
                _pipeline = new BlockPipeline(threaded ? PipelineBlocks : 1, BlockBytes, BlockBytes + 64, deliver: true);
                if (_plainSha != null)
                {
                    _pipeline.AddStage(b => _plainSha.Append(b.Output, 0, b.OutputCount));
                }
            }
            catch (EncryptionException)
            {
                throw;
            }
            catch (Exception e) when (e is IOException || e is InvalidCastException || e is ArgumentException || e is InvalidOperationException || e is Asn1Exception)
            {
                throw new EncryptionException($"'{name}' is not a readable CMS AuthEnvelopedData file (damaged or cut short): {e.Message}", e);
            }
        }

        /// <summary>The name used in error messages.</summary>
        public string Name { get; }

        /// <summary>Plaintext bytes released so far.</summary>
        public long PlaintextLength => _position;

        /// <summary>SHA-256 of the plaintext (with hashPlaintext, once the end was reached and verified).</summary>
        public string PlaintextSha256 => _ended ? _plainHex : throw new InvalidOperationException("The encrypted file was not read to its end.");

        /// <inheritdoc />
        public override int Read(byte[] buffer, int offset, int count)
        {
            while (_current == null || _plainStart == _current.OutputCount)
            {
                if (_current != null)
                {
                    bool last = _current.Last;
                    _pipeline.Recycle(_current);
                    _current = null;
                    if (last)
                    {
                        _ended = true;
                        _plainHex = _plainSha?.FinishHex();
                    }
                }
                if (_ended)
                {
                    return 0;
                }
                _plainStart = 0;
                if (_threaded)
                {
                    if (!_pipeline.Threaded)
                    {
                        _pipeline.StartProducer(Produce);
                    }
                    _current = _pipeline.Receive();
                }
                else
                {
                    var block = _pipeline.Rent();
                    Fill(block);
                    Decrypt(block);
                    _pipeline.Post(block);
                    _current = block;
                }
            }
            int n = Math.Min(count, _current.OutputCount - _plainStart);
            Buffer.BlockCopy(_current.Output, _plainStart, buffer, offset, n);
            _plainStart += n;
            _position += n;
            return n;
        }

        /// <summary>The reading thread: ciphertext blocks in order, decrypted, then the tag checked in the last one.</summary>
        private void Produce()
        {
            while (true)
            {
                var block = _pipeline.Rent();
                Fill(block);
                Decrypt(block);
                _pipeline.Post(block);
                if (block.Last)
                {
                    return;
                }
            }
        }

        /// <summary>Reads the next block of ciphertext; at the end of the content, the tag (and marks the block last).</summary>
        private void Fill(BlockPipeline.Block block)
        {
            try
            {
                if (!_contentDone)
                {
                    int read = ReadFull(_content, block.Input, block.Input.Length);
                    if (read > 0)
                    {
                        block.InputCount = read;
                        return;
                    }
                    _contentDone = true;
                }
                if (_parser.GetAuthAttrs() != null)
                {
                    throw new EncryptionException($"'{Name}' carries authenticated attributes, which DoltBackup does not read.");
                }
                var mac = _parser.GetMac();
                if (mac == null)
                {
                    throw new EncryptionException($"'{Name}' has no authentication tag: it was cut short.");
                }
                _tag = mac.GetOctets();
                block.Last = true;
            }
            catch (EncryptionException)
            {
                throw;
            }
            catch (Exception e) when (e is IOException || e is InvalidCastException || e is InvalidOperationException || e is Asn1Exception)
            {
                throw new EncryptionException($"'{Name}' is damaged or cut short: {e.Message}", e);
            }
        }

        /// <summary>AES-GCM on one block; the last one checks the tag.</summary>
        private void Decrypt(BlockPipeline.Block block)
        {
            try
            {
                if (!block.Last)
                {
                    block.OutputCount = _gcm.Process(block.Input, 0, block.InputCount, block.Output, 0);
                    return;
                }
                block.OutputCount = _gcm.FinishDecrypt(_tag, block.Output, 0);
                _verified = true;
            }
            catch (InvalidCipherTextException e)
            {
                throw new EncryptionException($"'{Name}' failed its authentication check: it was modified, cut short or swapped with another file. Do not use what was read from it.", e);
            }
        }

        private static int ReadFull(Stream stream, byte[] buffer, int count)
        {
            int total = 0;
            while (total < count)
            {
                int n = stream.Read(buffer, total, count - total);
                if (n <= 0) break;
                total += n;
            }
            return total;
        }

        private static int GcmKeyBytes(DerObjectIdentifier oid)
        {
            if (NistObjectIdentifiers.IdAes256Gcm.Equals(oid)) return 32;
            if (NistObjectIdentifiers.IdAes192Gcm.Equals(oid)) return 24;
            if (NistObjectIdentifiers.IdAes128Gcm.Equals(oid)) return 16;
            return 0;
        }

        private static byte[] UnwrapContentKey(List<RecipientInfo> recipients, EncryptionKeys keys, PassphraseKeyCache cache, string name)
        {
            var described = new List<string>();
            foreach (var recipient in recipients)
            {
                var info = recipient.Info;
                if (info is KeyTransRecipientInfo keyTrans)
                {
                    var issuerAndSerial = keyTrans.RecipientIdentifier.ID as IssuerAndSerialNumber;
                    described.Add(issuerAndSerial == null ? "a certificate (by key identifier)" : $"the certificate of issuer '{issuerAndSerial.Issuer}' with serial {issuerAndSerial.SerialNumber.Value.ToString(16).ToUpperInvariant()}");
                    foreach (var certificate in keys?.Certificates ?? (IReadOnlyList<X509Certificate2>)Array.Empty<X509Certificate2>())
                    {
                        if (!Matches(certificate, keyTrans.RecipientIdentifier) || !certificate.HasPrivateKey)
                        {
                            continue;
                        }
                        using (var rsa = certificate.GetRSAPrivateKey())
                        {
                            if (rsa == null) continue;
                            try
                            {
                                return rsa.Decrypt(keyTrans.EncryptedKey.GetOctets(), Padding(keyTrans.KeyEncryptionAlgorithm));
                            }
                            catch (CryptographicException)
                            {
                                // The matching certificate's key did not open it: try the other recipients.
                            }
                        }
                    }
                }
                else if (info is PasswordRecipientInfo password)
                {
                    described.Add("a passphrase");
                    if (keys?.Passphrase == null || keys.Passphrase.Length == 0)
                    {
                        continue;
                    }
                    byte[] cek = UnwrapWithPassphrase(password, keys, cache);
                    if (cek != null)
                    {
                        return cek;
                    }
                }
                else
                {
                    described.Add("a recipient of a kind DoltBackup does not read");
                }
            }
            throw new EncryptionException(
                $"None of the keys given opens '{name}'. It is encrypted for {string.Join(" and ", described.Distinct())}. " +
                "Give the certificate with its private key (-DecryptionCertificate) or the passphrase (-Passphrase) the set was made with.");
        }

        private static bool Matches(X509Certificate2 certificate, RecipientIdentifier rid)
        {
            var bc = new BcCertificate(certificate.RawData);
            if (rid.ID is IssuerAndSerialNumber issuerAndSerial)
            {
                return issuerAndSerial.SerialNumber.Value.Equals(bc.SerialNumber) && issuerAndSerial.Issuer.Equivalent(bc.IssuerDN);
            }
            if (rid.ID is Asn1TaggedObject tagged)
            {
                byte[] wanted = Asn1OctetString.GetInstance(tagged, false).GetOctets();
                var ski = bc.GetExtensionValue(X509Extensions.SubjectKeyIdentifier);
                return ski != null && SubjectKeyIdentifier.GetInstance(Asn1Object.FromByteArray(ski.GetOctets())).GetKeyIdentifier().SequenceEqual(wanted);
            }
            return false;
        }

        private static RSAEncryptionPadding Padding(AlgorithmIdentifier algorithm)
        {
            if (PkcsObjectIdentifiers.RsaEncryption.Equals(algorithm.Algorithm))
            {
                return RSAEncryptionPadding.Pkcs1;
            }
            if (PkcsObjectIdentifiers.IdRsaesOaep.Equals(algorithm.Algorithm))
            {
                var parameters = RsaesOaepParameters.GetInstance(algorithm.Parameters);
                var hash = parameters.HashAlgorithm.Algorithm;
                if (NistObjectIdentifiers.IdSha256.Equals(hash)) return RSAEncryptionPadding.OaepSHA256;
                if (NistObjectIdentifiers.IdSha384.Equals(hash)) return RSAEncryptionPadding.OaepSHA384;
                if (NistObjectIdentifiers.IdSha512.Equals(hash)) return RSAEncryptionPadding.OaepSHA512;
                return RSAEncryptionPadding.OaepSHA1;
            }
            throw new EncryptionException($"Key transport {algorithm.Algorithm} is not RSA; DoltBackup opens RSA recipients only.");
        }

        private static byte[] UnwrapWithPassphrase(PasswordRecipientInfo password, EncryptionKeys keys, PassphraseKeyCache cache)
        {
            var kdf = password.KeyDerivationAlgorithm;
            if (kdf == null || !PkcsObjectIdentifiers.IdPbkdf2.Equals(kdf.Algorithm))
            {
                throw new EncryptionException("A passphrase recipient uses a key derivation other than PBKDF2, which DoltBackup does not read.");
            }
            var pbkdf2 = Pbkdf2Params.GetInstance(kdf.Parameters);
            string prf = pbkdf2.IsDefaultPrf ? "SHA1"
                : PkcsObjectIdentifiers.IdHmacWithSha256.Equals(pbkdf2.Prf.Algorithm) ? "SHA256"
                : PkcsObjectIdentifiers.IdHmacWithSha512.Equals(pbkdf2.Prf.Algorithm) ? "SHA512"
                : throw new EncryptionException($"PBKDF2 with PRF {pbkdf2.Prf.Algorithm} is not supported.");
            var kekAlgorithm = password.KeyEncryptionAlgorithm;
            if (!PkcsObjectIdentifiers.IdAlgPwriKek.Equals(kekAlgorithm.Algorithm))
            {
                throw new EncryptionException($"Passphrase key wrap {kekAlgorithm.Algorithm} is not RFC 3211 PWRI-KEK.");
            }
            var inner = AlgorithmIdentifier.GetInstance(kekAlgorithm.Parameters);
            int keyBytes = NistObjectIdentifiers.IdAes256Cbc.Equals(inner.Algorithm) ? 32
                : NistObjectIdentifiers.IdAes192Cbc.Equals(inner.Algorithm) ? 24
                : NistObjectIdentifiers.IdAes128Cbc.Equals(inner.Algorithm) ? 16
                : throw new EncryptionException($"Passphrase key wrap with {inner.Algorithm} is not supported (AES-CBC only).");
            byte[] iv = Asn1OctetString.GetInstance(inner.Parameters).GetOctets();
            int iterations = pbkdf2.IterationCount.IntValue;
            byte[] kek = cache.ForDecryption(keys, pbkdf2.GetSalt(), iterations, prf, keyBytes);
            var wrap = new Rfc3211WrapEngine(AesUtilities.CreateEngine());
            wrap.Init(false, new ParametersWithIV(new KeyParameter(kek), iv));
            try
            {
                byte[] encrypted = password.EncryptedKey.GetOctets();
                return wrap.Unwrap(encrypted, 0, encrypted.Length);
            }
            catch (InvalidCipherTextException)
            {
                return null; // wrong passphrase: RFC 3211's check bytes do not match
            }
        }

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Stops the reading and decrypting threads (a reader given up early) before the input goes.
                _pipeline?.Dispose();
                _gcm?.Dispose();
                _plainSha?.Dispose();
                _input?.Dispose();
            }
            base.Dispose(disposing);
        }

        /// <summary>True once the end was reached and the authentication tag matched.</summary>
        public bool Verified => _verified;

        /// <inheritdoc />
        public override long Position { get => _position; set => throw new NotSupportedException(); }
    }
}
