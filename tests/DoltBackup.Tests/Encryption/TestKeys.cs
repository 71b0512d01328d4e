using System;
using System.IO;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DoltBackup.Encryption;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>Self-signed RSA certificates and passphrases for the encryption tests, with PEM files for openssl.</summary>
    internal static class TestKeys
    {
        public static X509Certificate2 NewCertificate(string cn, int bits = 2048)
        {
            using var rsa = RSA.Create(bits);
            var request = new CertificateRequest("CN=" + cn, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            // Round-trip through PKCS#12 so the private key is usable everywhere.
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12, "p"), "p", X509KeyStorageFlags.Exportable);
        }

        /// <summary>The certificate alone (public key), as a user would load a .cer file to back up.</summary>
        public static X509Certificate2 PublicOnly(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);

        public static (string CertPem, string KeyPem) WritePem(X509Certificate2 certificate, string dir)
        {
            string cert = Path.Combine(dir, certificate.Thumbprint + ".crt");
            string key = Path.Combine(dir, certificate.Thumbprint + ".key");
            File.WriteAllText(cert, certificate.ExportCertificatePem());
            File.WriteAllText(key, certificate.GetRSAPrivateKey().ExportPkcs8PrivateKeyPem());
            return (cert, key);
        }

        /// <summary>Runs Debian's openssl; its exit code and standard error.</summary>
        public static (int Code, string Error) OpenSsl(params string[] args)
        {
            var psi = new System.Diagnostics.ProcessStartInfo(DoltBackup.Tests.Infrastructure.ExternalTools.OpenSsl ?? "openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(psi);
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, err);
        }

        public static SecureString Secure(string text)
        {
            var s = new SecureString();
            foreach (char c in text) s.AppendChar(c);
            s.MakeReadOnly();
            return s;
        }

        /// <summary>Keys with few PBKDF2 iterations, so tests stay fast (the iteration count is recorded in the file).</summary>
        public static EncryptionKeys Passphrase(string text) => new EncryptionKeys(null, Secure(text), iterations: 1000);
    }
}
