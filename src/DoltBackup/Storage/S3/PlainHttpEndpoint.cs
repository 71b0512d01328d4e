using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace DoltBackup.Storage.S3
{
    /// <summary>
    /// A plain-HTTP S3 endpoint (MinIO, Ceph, s3rver on a LAN or 127.0.0.1) without a second SHA-256 of every body.
    /// Over HTTP the SDK signs each body's SHA-256 (x-amz-content-sha256), which it computes itself: it refuses
    /// UNSIGNED-PAYLOAD there, takes no precomputed hash (the signer drops one set as a header) and, given a body it
    /// cannot rewind, switches to aws-chunked signing, which hashes every chunk instead. The driver's uploads do not
    /// need it: each carries a signed Content-MD5 or x-amz-checksum-sha256 of its bytes, which the service checks
    /// (and a service that checks neither, as s3rver, answers the MD5 as ETag, which the driver compares), exactly
    /// as over HTTPS, where they go as UNSIGNED-PAYLOAD. So the client is configured with the endpoint's https://
    /// form, host and port kept (what is signed: the Host header, the path), and its HTTP client sends each request
    /// to the http:// URL. Only uploads change: every other request has an empty body, hashed for nothing.
    /// </summary>
    internal sealed class PlainHttpEndpoint : HttpClientFactory, IDisposable
    {
        private readonly object _gate = new object();
        private HttpClient _client;

        /// <summary>The https:// form of a plain http:// endpoint URL, with its port written out (the signed Host header).</summary>
        public static string SignedForm(Uri endpoint)
        {
            var https = new UriBuilder(endpoint) { Scheme = Uri.UriSchemeHttps, Port = endpoint.Port };
            return https.Uri.AbsoluteUri;
        }

        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            lock (_gate)
            {
                if (_client == null)
                {
                    var handler = new HttpClientHandler
                    {
                        AllowAutoRedirect = false,
                        AutomaticDecompression = DecompressionMethods.None,
                        UseCookies = false,
                    };
                    if (clientConfig.MaxConnectionsPerServer.HasValue)
                    {
                        // As the SDK's own HTTP client does with this setting.
                        handler.MaxConnectionsPerServer = clientConfig.MaxConnectionsPerServer.Value;
                    }
                    _client = new HttpClient(new ToPlainHttp(handler))
                    {
                        Timeout = clientConfig.Timeout ?? TimeSpan.FromMinutes(5),
                    };
                }
                return _client;
            }
        }

        /// <summary>One HTTP client for the S3 client's lifetime (connections reused), disposed with the driver.</summary>
        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

        public void Dispose()
        {
            lock (_gate)
            {
                _client?.Dispose();
                _client = null;
            }
        }

        /// <summary>Sends a request the SDK addressed to https://host:port to http://host:port, with the Host header it signed.</summary>
        internal sealed class ToPlainHttp : DelegatingHandler
        {
            public ToPlainHttp(HttpMessageHandler inner)
                : base(inner)
            {
            }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var uri = request.RequestUri;
                if (uri.Scheme == Uri.UriSchemeHttps)
                {
                    // The signer wrote the Host header from the https:// URL: the port unless it is 443.
                    request.Headers.Host = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port;
                    request.RequestUri = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp, Port = uri.Port }.Uri;
                }
                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
