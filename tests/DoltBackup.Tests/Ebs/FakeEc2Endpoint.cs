using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Tests.Ebs
{
    /// <summary>
    /// A fake EC2 Query API on 127.0.0.1 (HttpListener, free port) for the AWS SDK behind EndpointUrl: it answers
    /// CreateSnapshot(s), DescribeSnapshots, DescribeVolumes, DescribeInstances, CreateVolume, AttachVolume, CreateTags
    /// and DeleteSnapshot with EC2's XML shapes from an in-memory world, records every request, and can be told to
    /// answer errors (throttling, access denied). It is not AWS and is never presented as such.
    /// </summary>
    public sealed class FakeEc2Endpoint : IDisposable
    {
        private const string Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";
        private readonly HttpListener _listener = new HttpListener();
        private readonly Task _loop;
        private readonly object _gate = new object();
        private int _counter;

        public FakeEc2Endpoint()
        {
            for (int attempt = 0; ; attempt++)
            {
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                Port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                try
                {
                    _listener.Prefixes.Clear();
                    _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
                    _listener.Start();
                    break;
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                }
            }
            _loop = Task.Run(Loop);
        }

        public int Port { get; }

        public string Url => $"http://127.0.0.1:{Port}/";

        /// <summary>Every request, in order.</summary>
        public List<Ec2Request> Requests { get; } = new List<Ec2Request>();

        public Dictionary<string, FakeVolume> Volumes { get; } = new Dictionary<string, FakeVolume>();

        public Dictionary<string, FakeInstance> Instances { get; } = new Dictionary<string, FakeInstance>();

        public Dictionary<string, FakeSnapshot> Snapshots { get; } = new Dictionary<string, FakeSnapshot>();

        /// <summary>
        /// The states a new snapshot goes through, one step per DescribeSnapshots that asks for it
        /// (state, progress, state message). The first entry is what CreateSnapshot(s) returns.
        /// </summary>
        public List<(string State, string Progress, string Message)> SnapshotScript { get; set; } = new List<(string, string, string)>
        {
            ("pending", "0%", null), ("pending", "45%", null), ("completed", "100%", null),
        };

        /// <summary>Errors to answer, in order, each for the next request of its action ("*" for any).</summary>
        public ConcurrentQueue<Fault> Faults { get; } = new ConcurrentQueue<Fault>();

        public void AddFault(string action, int status, string code, string message) => Faults.Enqueue(new Fault { Action = action, Status = status, Code = code, Message = message });

        public FakeVolume AddVolume(string id, int size, string az, string instanceId = null, string device = null)
        {
            var v = new FakeVolume { VolumeId = id, Size = size, AvailabilityZone = az, State = instanceId == null ? "available" : "in-use", InstanceId = instanceId, Device = device, AttachmentState = instanceId == null ? null : "attached" };
            lock (_gate)
            {
                Volumes[id] = v;
                if (instanceId != null && Instances.TryGetValue(instanceId, out var i))
                {
                    i.BlockDevices[device] = id;
                }
            }
            return v;
        }

        public FakeInstance AddInstance(string id, string az, string rootDevice = "/dev/xvda")
        {
            var i = new FakeInstance { InstanceId = id, AvailabilityZone = az, RootDeviceName = rootDevice };
            lock (_gate)
            {
                Instances[id] = i;
            }
            return i;
        }

        public List<Ec2Request> RequestsFor(string action)
        {
            lock (_gate)
            {
                return Requests.Where(r => r.Action == action).ToList();
            }
        }

        private async Task Loop()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpListenerException || e is ObjectDisposedException || e is InvalidOperationException)
                {
                    return;
                }
                try
                {
                    Handle(ctx);
                }
                catch (Exception e)
                {
                    try
                    {
                        Respond(ctx, 500, Error("InternalError", "fake endpoint failure: " + e.Message));
                    }
                    catch
                    {
                    }
                }
            }
        }

        private void Handle(HttpListenerContext ctx)
        {
            string body;
            using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8))
            {
                body = reader.ReadToEnd();
            }
            var p = ParseForm(body);
            if (ctx.Request.Url != null && ctx.Request.Url.Query.Length > 1)
            {
                foreach (var kv in ParseForm(ctx.Request.Url.Query.Substring(1)))
                {
                    p[kv.Key] = kv.Value;
                }
            }
            p.TryGetValue("Action", out var action);
            var request = new Ec2Request { Action = action, Parameters = p, Authorization = ctx.Request.Headers["Authorization"] };
            lock (_gate)
            {
                Requests.Add(request);
            }
            if (Faults.TryPeek(out var fault) && (fault.Action == "*" || fault.Action == action) && Faults.TryDequeue(out fault))
            {
                Respond(ctx, fault.Status, Error(fault.Code, fault.Message));
                return;
            }
            string xml;
            lock (_gate)
            {
                xml = Answer(action, request);
            }
            if (xml == null)
            {
                Respond(ctx, 400, Error("InvalidAction", "The fake endpoint does not implement " + action));
                return;
            }
            Respond(ctx, xml.StartsWith("<Response>", StringComparison.Ordinal) ? 400 : 200, xml);
        }

        private string Answer(string action, Ec2Request r)
        {
            switch (action)
            {
                case "DescribeVolumes":
                {
                    var ids = r.List("VolumeId");
                    var missing = ids.FirstOrDefault(id => !Volumes.ContainsKey(id));
                    if (missing != null)
                    {
                        return Error("InvalidVolume.NotFound", $"The volume '{missing}' does not exist.");
                    }
                    var items = (ids.Count == 0 ? Volumes.Values.ToList() : ids.Select(id => Volumes[id]).ToList()).Select(v =>
                    {
                        v.Describes++;
                        string xml = VolumeXml(v, "item");
                        // Newly created volumes become available, attaching ones attached, on the next look.
                        if (v.State == "creating") v.State = "available";
                        if (v.AttachmentState == "attaching") { v.AttachmentState = "attached"; v.State = "in-use"; }
                        return xml;
                    });
                    return Wrap(action, "<volumeSet>" + string.Concat(items) + "</volumeSet>");
                }
                case "DescribeInstances":
                {
                    var ids = r.List("InstanceId");
                    var missing = ids.FirstOrDefault(id => !Instances.ContainsKey(id));
                    if (missing != null)
                    {
                        return Error("InvalidInstanceID.NotFound", $"The instance ID '{missing}' does not exist");
                    }
                    var items = ids.Select(id => Instances[id]).Select(i =>
                        "<item><reservationId>r-0fake</reservationId><ownerId>111122223333</ownerId><groupSet/><instancesSet><item>" +
                        $"<instanceId>{i.InstanceId}</instanceId><imageId>ami-0fake</imageId><instanceState><code>16</code><name>running</name></instanceState>" +
                        $"<placement><availabilityZone>{i.AvailabilityZone}</availabilityZone><tenancy>default</tenancy></placement>" +
                        $"<rootDeviceType>ebs</rootDeviceType><rootDeviceName>{i.RootDeviceName}</rootDeviceName><blockDeviceMapping>" +
                        string.Concat(i.BlockDevices.Select(b => $"<item><deviceName>{b.Key}</deviceName><ebs><volumeId>{b.Value}</volumeId><status>attached</status><attachTime>2026-11-01T10:00:00.000Z</attachTime><deleteOnTermination>false</deleteOnTermination></ebs></item>")) +
                        "</blockDeviceMapping></item></instancesSet></item>");
                    return Wrap(action, "<reservationSet>" + string.Concat(items) + "</reservationSet>");
                }
                case "CreateSnapshot":
                {
                    string volumeId = r.Get("VolumeId");
                    if (!Volumes.TryGetValue(volumeId ?? "", out var v))
                    {
                        return Error("InvalidVolume.NotFound", $"The volume '{volumeId}' does not exist.");
                    }
                    var s = NewSnapshot(v, r.Get("Description"), r.Tags("TagSpecification.1.Tag"));
                    return Wrap(action, SnapshotFields(s, "status"));
                }
                case "CreateSnapshots":
                {
                    string instanceId = r.Get("InstanceSpecification.InstanceId");
                    if (!Instances.TryGetValue(instanceId ?? "", out var i))
                    {
                        return Error("InvalidInstanceID.NotFound", $"The instance ID '{instanceId}' does not exist");
                    }
                    bool excludeBoot = string.Equals(r.Get("InstanceSpecification.ExcludeBootVolume"), "true", StringComparison.OrdinalIgnoreCase);
                    var excluded = r.List("InstanceSpecification.ExcludeDataVolumeId");
                    var snaps = i.BlockDevices
                        .Where(b => !(excludeBoot && b.Key == i.RootDeviceName))
                        .Where(b => !excluded.Contains(b.Value))
                        .Select(b => NewSnapshot(Volumes[b.Value], r.Get("Description"), r.Tags("TagSpecification.1.Tag")))
                        .ToList();
                    return Wrap(action, "<snapshotSet>" + string.Concat(snaps.Select(s => "<item>" + SnapshotFields(s, "state") + "</item>")) + "</snapshotSet>");
                }
                case "DescribeSnapshots":
                {
                    var ids = r.List("SnapshotId");
                    var missing = ids.FirstOrDefault(id => !Snapshots.ContainsKey(id));
                    if (missing != null)
                    {
                        return Error("InvalidSnapshot.NotFound", $"The snapshot '{missing}' does not exist.");
                    }
                    var items = ids.Select(id => Snapshots[id]).Select(s =>
                    {
                        s.Step = Math.Min(s.Step + 1, s.Script.Count - 1);
                        return "<item>" + SnapshotFields(s, "status") + "</item>";
                    });
                    return Wrap(action, "<snapshotSet>" + string.Concat(items) + "</snapshotSet>");
                }
                case "CreateTags":
                {
                    foreach (var id in r.List("ResourceId"))
                    {
                        if (Snapshots.TryGetValue(id, out var s))
                        {
                            foreach (var kv in r.Tags("Tag"))
                            {
                                s.Tags[kv.Key] = kv.Value;
                            }
                        }
                    }
                    return Wrap(action, "<return>true</return>");
                }
                case "DeleteSnapshot":
                {
                    string id = r.Get("SnapshotId");
                    if (!Snapshots.Remove(id ?? ""))
                    {
                        return Error("InvalidSnapshot.NotFound", $"The snapshot '{id}' does not exist.");
                    }
                    return Wrap(action, "<return>true</return>");
                }
                case "CreateVolume":
                {
                    string snapshotId = r.Get("SnapshotId");
                    if (!Snapshots.TryGetValue(snapshotId ?? "", out var s))
                    {
                        return Error("InvalidSnapshot.NotFound", $"The snapshot '{snapshotId}' does not exist.");
                    }
                    string id = "vol-0new" + Next().ToString("x13", CultureInfo.InvariantCulture);
                    var v = new FakeVolume { VolumeId = id, Size = s.VolumeSize, AvailabilityZone = r.Get("AvailabilityZone"), State = "creating", SnapshotId = snapshotId, VolumeType = r.Get("VolumeType") ?? "gp2" };
                    foreach (var kv in r.Tags("TagSpecification.1.Tag"))
                    {
                        v.Tags[kv.Key] = kv.Value;
                    }
                    Volumes[id] = v;
                    return Wrap(action, VolumeFields(v));
                }
                case "AttachVolume":
                {
                    string volumeId = r.Get("VolumeId"), instanceId = r.Get("InstanceId"), device = r.Get("Device");
                    if (!Volumes.TryGetValue(volumeId ?? "", out var v))
                    {
                        return Error("InvalidVolume.NotFound", $"The volume '{volumeId}' does not exist.");
                    }
                    if (v.State != "available")
                    {
                        return Error("IncorrectState", $"vol '{volumeId}' is not 'available'.");
                    }
                    if (!Instances.TryGetValue(instanceId ?? "", out var i))
                    {
                        return Error("InvalidInstanceID.NotFound", $"The instance ID '{instanceId}' does not exist");
                    }
                    v.InstanceId = instanceId;
                    v.Device = device;
                    v.AttachmentState = "attaching";
                    i.BlockDevices[device] = volumeId;
                    return Wrap(action, $"<volumeId>{volumeId}</volumeId><instanceId>{instanceId}</instanceId><device>{device}</device><status>attaching</status><attachTime>2026-11-23T19:00:00.000Z</attachTime>");
                }
                default:
                    return null;
            }
        }

        private FakeSnapshot NewSnapshot(FakeVolume v, string description, Dictionary<string, string> tags)
        {
            var s = new FakeSnapshot
            {
                SnapshotId = "snap-0" + Next().ToString("x16", CultureInfo.InvariantCulture),
                VolumeId = v.VolumeId,
                VolumeSize = v.Size,
                Description = description,
                Script = SnapshotScript.ToList(),
                StartTime = new DateTime(2026, 11, 23, 19, 10, 0, DateTimeKind.Utc),
            };
            foreach (var kv in tags)
            {
                s.Tags[kv.Key] = kv.Value;
            }
            Snapshots[s.SnapshotId] = s;
            return s;
        }

        private int Next() => Interlocked.Increment(ref _counter);

        private static string SnapshotFields(FakeSnapshot s, string stateElement)
        {
            var step = s.Script[s.Step];
            return $"<snapshotId>{s.SnapshotId}</snapshotId><volumeId>{s.VolumeId}</volumeId><{stateElement}>{step.State}</{stateElement}>" +
                   (step.Message != null ? $"<statusMessage>{X(step.Message)}</statusMessage>" : "") +
                   $"<startTime>{s.StartTime:yyyy-MM-ddTHH:mm:ss.fffZ}</startTime><progress>{step.Progress}</progress><ownerId>111122223333</ownerId>" +
                   $"<volumeSize>{s.VolumeSize}</volumeSize><description>{X(s.Description)}</description><encrypted>false</encrypted>" +
                   "<tagSet>" + string.Concat(s.Tags.Select(t => $"<item><key>{X(t.Key)}</key><value>{X(t.Value)}</value></item>")) + "</tagSet>";
        }

        private static string VolumeFields(FakeVolume v)
            => $"<volumeId>{v.VolumeId}</volumeId><size>{v.Size}</size><snapshotId>{v.SnapshotId}</snapshotId><availabilityZone>{v.AvailabilityZone}</availabilityZone>" +
               $"<status>{v.State}</status><createTime>2026-11-23T19:00:00.000Z</createTime><volumeType>{v.VolumeType}</volumeType><encrypted>false</encrypted>" +
               "<tagSet>" + string.Concat(v.Tags.Select(t => $"<item><key>{X(t.Key)}</key><value>{X(t.Value)}</value></item>")) + "</tagSet>";

        private static string VolumeXml(FakeVolume v, string element)
            => $"<{element}>" + VolumeFields(v) + "<attachmentSet>" +
               (v.InstanceId != null ? $"<item><volumeId>{v.VolumeId}</volumeId><instanceId>{v.InstanceId}</instanceId><device>{v.Device}</device><status>{v.AttachmentState}</status><attachTime>2026-11-01T10:00:00.000Z</attachTime><deleteOnTermination>false</deleteOnTermination></item>" : "") +
               $"</attachmentSet></{element}>";

        private static string Wrap(string action, string inner)
            => $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><{action}Response xmlns=\"{Ns}\"><requestId>{Guid.NewGuid()}</requestId>{inner}</{action}Response>";

        private static string Error(string code, string message)
            => $"<Response><Errors><Error><Code>{code}</Code><Message>{X(message)}</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>";

        private static string X(string s) => SecurityElement.Escape(s ?? "");

        private static void Respond(HttpListenerContext ctx, int status, string xml)
        {
            var bytes = Encoding.UTF8.GetBytes(xml);
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "text/xml;charset=UTF-8";
            ctx.Response.ContentLength64 = bytes.Length;
            ctx.Response.OutputStream.Write(bytes, 0, bytes.Length);
            ctx.Response.OutputStream.Close();
        }

        private static Dictionary<string, string> ParseForm(string body)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=');
                string k = Uri.UnescapeDataString((eq < 0 ? pair : pair.Substring(0, eq)).Replace('+', ' '));
                string v = eq < 0 ? "" : Uri.UnescapeDataString(pair.Substring(eq + 1).Replace('+', ' '));
                d[k] = v;
            }
            return d;
        }

        public void Dispose()
        {
            try
            {
                _listener.Stop();
                _listener.Close();
            }
            catch (ObjectDisposedException)
            {
            }
            catch (HttpListenerException)
            {
                // .NET's managed listener looks its port up again on Close and may find another socket on it by then
                // (the port was freed at Stop): the fake is down either way; the test's outcome stands.
            }
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }

        public sealed class Fault
        {
            public string Action { get; set; }
            public int Status { get; set; }
            public string Code { get; set; }
            public string Message { get; set; }
        }
    }

    /// <summary>One request the fake endpoint received.</summary>
    public sealed class Ec2Request
    {
        public string Action { get; set; }
        public Dictionary<string, string> Parameters { get; set; }
        public string Authorization { get; set; }

        public string Get(string name) => Parameters.TryGetValue(name, out var v) ? v : null;

        /// <summary>The values of Name.1, Name.2, ... in order.</summary>
        public List<string> List(string name)
        {
            var re = new Regex("^" + Regex.Escape(name) + @"\.(\d+)$");
            return Parameters.Select(kv => (m: re.Match(kv.Key), kv.Value)).Where(x => x.m.Success)
                .OrderBy(x => int.Parse(x.m.Groups[1].Value, CultureInfo.InvariantCulture)).Select(x => x.Value).ToList();
        }

        /// <summary>Tags given as Prefix.N.Key / Prefix.N.Value.</summary>
        public Dictionary<string, string> Tags(string prefix)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            var re = new Regex("^" + Regex.Escape(prefix) + @"\.(\d+)\.Key$");
            foreach (var kv in Parameters)
            {
                var m = re.Match(kv.Key);
                if (m.Success)
                {
                    d[kv.Value] = Get(prefix + "." + m.Groups[1].Value + ".Value") ?? "";
                }
            }
            return d;
        }

        public override string ToString() => Action;
    }

    public sealed class FakeVolume
    {
        public string VolumeId { get; set; }
        public int Size { get; set; }
        public string AvailabilityZone { get; set; }
        public string State { get; set; }
        public string SnapshotId { get; set; }
        public string VolumeType { get; set; } = "gp3";
        public string InstanceId { get; set; }
        public string Device { get; set; }
        public string AttachmentState { get; set; }
        public int Describes { get; set; }
        public Dictionary<string, string> Tags { get; } = new Dictionary<string, string>();
    }

    public sealed class FakeInstance
    {
        public string InstanceId { get; set; }
        public string AvailabilityZone { get; set; }
        public string RootDeviceName { get; set; }
        public Dictionary<string, string> BlockDevices { get; } = new Dictionary<string, string>();
    }

    public sealed class FakeSnapshot
    {
        public string SnapshotId { get; set; }
        public string VolumeId { get; set; }
        public int VolumeSize { get; set; }
        public string Description { get; set; }
        public DateTime StartTime { get; set; }
        public List<(string State, string Progress, string Message)> Script { get; set; }
        public int Step { get; set; }
        public Dictionary<string, string> Tags { get; } = new Dictionary<string, string>();
    }
}
