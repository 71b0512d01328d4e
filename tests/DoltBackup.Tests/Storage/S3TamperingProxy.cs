using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// An HTTP proxy on 127.0.0.1 between the S3 driver and s3rver that can change what passes, to prove the driver's
    /// upload checks: flip a byte of a request body (damage in transit, before the service's checks), or behave as
    /// Amazon S3 does where s3rver does not (<see cref="AwsChecksums"/>: refuse a body whose Content-MD5 is not its MD5
    /// or whose x-amz-content-sha256 or x-amz-checksum-sha256 is not its SHA-256, answer the checksum back, answer an ETag that is not the MD5 as S3 does with SSE-KMS, and answer the
    /// composite checksum of a completed multipart upload), optionally answering a wrong checksum. The Host header is
    /// forwarded as the client signed it, so s3rver's signature check still passes.
    /// </summary>
    internal sealed class S3TamperingProxy : IDisposable
    {
        private readonly HttpListener _listener = new HttpListener();
        private readonly HttpClient _forward = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromMinutes(2) };
        private readonly int _target;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        public S3TamperingProxy(int targetPort)
        {
            _target = targetPort;
            Port = ObjectStoreServers.FreePort();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            Task.Run(Serve);
        }

        public int Port { get; }

        public string Endpoint => $"http://127.0.0.1:{Port}";

        /// <summary>Answer as Amazon S3 does for checksums and payload hashes (see the class summary).</summary>
        public bool AwsChecksums { get; set; }

        /// <summary>Flips one byte of the body of the upload this returns true for (path, query).</summary>
        public Func<string, string, bool> CorruptBody { get; set; }

        /// <summary>With <see cref="AwsChecksums"/>: answers a wrong checksum for the uploads this returns true for (path and query).</summary>
        public Func<string, bool> WrongChecksumAnswer { get; set; }

        /// <summary>With <see cref="AwsChecksums"/>: answers a wrong composite checksum when a multipart upload completes.</summary>
        public bool WrongCompositeAnswer { get; set; }

        /// <summary>Refuses every request with an x-amz-checksum-sha256 header (400 InvalidArgument), as S3-compatible services that do not know flexible checksums may.</summary>
        public bool RejectChecksums { get; set; }

        /// <summary>Every upload request (PUT) seen: its query, whether it had Content-MD5 and x-amz-checksum-sha256, its x-amz-content-sha256.</summary>
        /// <summary>Every request passed on: its method and path.</summary>
        public ConcurrentQueue<(string Method, string Path)> Requests { get; } = new ConcurrentQueue<(string, string)>();

        public ConcurrentQueue<(string Query, bool Md5, bool Checksum, string PayloadHash)> Uploads { get; } = new ConcurrentQueue<(string, bool, bool, string)>();

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _listener.Close();
            }
            catch (HttpListenerException)
            {
                // As FakeEc2Endpoint.Dispose: Close may meet another socket on the freed port; the proxy is down anyway.
            }
            _forward.Dispose();
        }

        private async Task Serve()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
                {
                    return;
                }
                _ = Task.Run(() => Handle(context));
            }
        }

        private async Task Handle(HttpListenerContext context)
        {
            var request = context.Request;
            var response = context.Response;
            try
            {
                byte[] body;
                using (var m = new MemoryStream())
                {
                    await request.InputStream.CopyToAsync(m).ConfigureAwait(false);
                    body = m.ToArray();
                }
                string path = request.Url.AbsolutePath, query = request.Url.Query;
                bool upload = request.HttpMethod == "PUT";
                Requests.Enqueue((request.HttpMethod, path));
                string checksumSent = request.Headers["x-amz-checksum-sha256"];
                if (upload)
                {
                    Uploads.Enqueue((query, request.Headers["Content-MD5"] != null, checksumSent != null, request.Headers["x-amz-content-sha256"]));
                }
                // Damage in transit: what the service receives (and checks, with AwsChecksums) is the damaged body.
                if (upload && CorruptBody != null && CorruptBody(path, query) && body.Length > 0)
                {
                    body[body.Length / 2] ^= 0x5A;
                }
                byte[] sha = SHA256.HashData(body);
                if (RejectChecksums && checksumSent != null)
                {
                    await Error(response, "InvalidArgument", "x-amz-checksum-sha256 is not supported.").ConfigureAwait(false);
                    return;
                }
                if (AwsChecksums && upload)
                {
                    string payload = request.Headers["x-amz-content-sha256"];
                    if (payload != null && payload.Length == 64 && payload != Convert.ToHexString(sha).ToLowerInvariant())
                    {
                        await Error(response, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.").ConfigureAwait(false);
                        return;
                    }
                    string md5Sent = request.Headers["Content-MD5"];
                    if (md5Sent != null && md5Sent != Convert.ToBase64String(MD5.HashData(body)))
                    {
                        await Error(response, "BadDigest", "The Content-MD5 you specified did not match what we received.").ConfigureAwait(false);
                        return;
                    }
                    if (checksumSent != null && checksumSent != Convert.ToBase64String(sha))
                    {
                        await Error(response, "BadDigest", "The SHA256 you specified did not match the calculated checksum.").ConfigureAwait(false);
                        return;
                    }
                }
                var forward = new HttpRequestMessage(new HttpMethod(request.HttpMethod), $"http://127.0.0.1:{_target}{request.Url.PathAndQuery}");
                if (request.HttpMethod == "PUT" || request.HttpMethod == "POST" || body.Length > 0)
                {
                    forward.Content = new ByteArrayContent(body);
                }
                foreach (string name in request.Headers.AllKeys)
                {
                    string value = request.Headers[name];
                    switch (name.ToLowerInvariant())
                    {
                        case "host":
                            forward.Headers.Host = value;
                            break;
                        case "content-length":
                        case "connection":
                        case "expect":
                        case "transfer-encoding":
                            break;
                        case "content-type":
                        case "content-md5":
                        case "content-encoding":
                        case "content-disposition":
                        case "content-language":
                        case "expires":
                            forward.Content?.Headers.TryAddWithoutValidation(name, value);
                            break;
                        default:
                            forward.Headers.TryAddWithoutValidation(name, value);
                            break;
                    }
                }
                using (var answer = await _forward.SendAsync(forward, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false))
                {
                    byte[] content = await answer.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    response.StatusCode = (int)answer.StatusCode;
                    foreach (var h in answer.Headers.Concat(answer.Content.Headers))
                    {
                        string lower = h.Key.ToLowerInvariant();
                        if (lower == "content-length" || lower == "transfer-encoding" || lower == "connection" || lower == "keep-alive" || lower == "date" || lower == "server")
                        {
                            continue;
                        }
                        response.Headers[h.Key] = string.Join(",", h.Value);
                    }
                    if (AwsChecksums && answer.IsSuccessStatusCode)
                    {
                        if (upload && checksumSent != null)
                        {
                            bool wrong = WrongChecksumAnswer != null && WrongChecksumAnswer(path + query);
                            response.Headers["x-amz-checksum-sha256"] = wrong ? Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("not the part"))) : checksumSent;
                        }
                        if (upload)
                        {
                            // What S3 answers for an object encrypted with SSE-KMS: an ETag that is not the MD5.
                            response.Headers["ETag"] = "\"" + Convert.ToHexString(sha, 0, 16).ToLowerInvariant() + "\"";
                        }
                        if (request.HttpMethod == "POST" && query.Contains("uploadId", StringComparison.Ordinal))
                        {
                            content = WithComposite(content, body);
                        }
                    }
                    if (request.HttpMethod == "HEAD")
                    {
                        response.ContentLength64 = answer.Content.Headers.ContentLength ?? 0;
                    }
                    else
                    {
                        response.ContentLength64 = content.Length;
                        await response.OutputStream.WriteAsync(content, 0, content.Length).ConfigureAwait(false);
                    }
                }
                response.Close();
            }
            catch (Exception)
            {
                try
                {
                    response.Abort();
                }
                catch (Exception)
                {
                }
            }
        }

        /// <summary>Adds S3's ChecksumSHA256 of a completed multipart upload (SHA-256 of the parts' checksums, "-N").</summary>
        private byte[] WithComposite(byte[] answer, byte[] completeRequest)
        {
            var request = XDocument.Parse(Encoding.UTF8.GetString(completeRequest));
            var sums = request.Descendants().Where(e => e.Name.LocalName == "ChecksumSHA256").Select(e => Convert.FromBase64String(e.Value)).ToList();
            if (sums.Count == 0)
            {
                return answer;
            }
            string composite = Convert.ToBase64String(SHA256.HashData(WrongCompositeAnswer ? new byte[] { 1 } : sums.SelectMany(b => b).ToArray())) + "-" + sums.Count;
            var result = XDocument.Parse(Encoding.UTF8.GetString(answer));
            var root = result.Root;
            root.Add(new XElement(root.Name.Namespace + "ChecksumSHA256", composite));
            return Encoding.UTF8.GetBytes(result.ToString(SaveOptions.DisableFormatting));
        }

        private static async Task Error(HttpListenerResponse response, string code, string message)
        {
            byte[] xml = Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>");
            response.StatusCode = 400;
            response.ContentType = "application/xml";
            response.ContentLength64 = xml.Length;
            await response.OutputStream.WriteAsync(xml, 0, xml.Length).ConfigureAwait(false);
            response.Close();
        }
    }
}
