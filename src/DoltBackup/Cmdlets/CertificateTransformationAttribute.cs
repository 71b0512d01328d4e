using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// Lets a certificate parameter take certificates (Get-Item Cert:\..., Get-PfxCertificate) or paths of certificate
    /// files (.cer, .crt, .pem: the public certificate, DER or PEM).
    /// </summary>
    public sealed class CertificateTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc />
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var list = new List<X509Certificate2>();
            foreach (object item in inputData is IEnumerable e && !(inputData is string) ? e : new[] { inputData })
            {
                object value = item is PSObject ps ? ps.BaseObject : item;
                switch (value)
                {
                    case null:
                        break;
                    case X509Certificate2 certificate:
                        list.Add(certificate);
                        break;
                    case FileInfo file:
                        list.Add(Load(file.FullName));
                        break;
                    case string path:
                        string full = engineIntrinsics?.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path) ?? Path.GetFullPath(path);
                        list.Add(Load(full));
                        break;
                    default:
                        throw new ArgumentTransformationMetadataException($"'{value}' is not a certificate or the path of a certificate file (.cer, .crt, .pem).");
                }
            }
            return list.ToArray();
        }

        private static X509Certificate2 Load(string path)
        {
            if (!File.Exists(path))
            {
                throw new ArgumentTransformationMetadataException($"No certificate file at '{path}'.");
            }
            try
            {
                return new X509Certificate2(path);
            }
            catch (System.Security.Cryptography.CryptographicException ex)
            {
                throw new ArgumentTransformationMetadataException($"'{path}' is not a certificate file DoltBackup can read (DER or PEM): {ex.Message}", ex);
            }
        }
    }
}
