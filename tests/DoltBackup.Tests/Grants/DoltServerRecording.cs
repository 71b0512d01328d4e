using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using DoltBackup.Grants;
using DoltBackup.Tests.Infrastructure;

namespace DoltBackup.Tests.Grants
{
    /// <summary>
    /// What a real Dolt 2.2.2 server reported (fixtures/dolt-server/srv-dolt/expected.json): accounts, SHOW GRANTS and
    /// branch-control rows, turned into the snapshot the reader would have produced. A recording, not a live Dolt.
    /// </summary>
    public static class DoltServerRecording
    {
        public static string ExpectedJsonPath => Path.Combine(RepoPaths.ServerFixture, "expected.json");

        public static JsonDocument Load() => JsonDocument.Parse(File.ReadAllText(ExpectedJsonPath));

        public static GrantsSnapshot Snapshot()
        {
            using var doc = Load();
            var root = doc.RootElement;
            var grants = root.GetProperty("grants");
            var edges = new HashSet<string>();
            foreach (var g in grants.EnumerateObject())
            {
                foreach (var line in g.Value.EnumerateArray())
                {
                    // "GRANT `writer`@`%` TO `app`@`10.0.%`": the role is the account before TO.
                    string l = line.GetString();
                    if (!l.Contains(" ON ") && l.StartsWith("GRANT `"))
                    {
                        string role = l.Substring(6, l.IndexOf(" TO ", System.StringComparison.Ordinal) - 6);
                        edges.Add(role.Replace("`", ""));
                    }
                }
            }
            var snapshot = new GrantsSnapshot
            {
                Endpoint = "127.0.0.1:3391",
                Kind = ServerKind.Dolt,
                ServerVersion = "8.0.33",
                DoltVersion = root.GetProperty("doltVersion").GetString(),
                CurrentUser = new AccountName("root", "localhost"),
                ReadUtc = new System.DateTime(2026, 11, 23, 19, 10, 0, System.DateTimeKind.Utc),
                HasBranchControl = true,
            };
            foreach (var u in root.GetProperty("users").EnumerateArray())
            {
                var name = new AccountName(u.GetProperty("user").GetString(), u.GetProperty("host").GetString());
                var a = new ServerAccount { Name = name, Locked = u.GetProperty("locked").GetString() == "Y" }
                    .WithAuthentication(u.GetProperty("plugin").GetString(), u.GetProperty("authenticationString").GetString());
                a.IsRole = a.Locked && !a.HasPassword && edges.Contains(name.User + "@" + name.Host);
                if (grants.TryGetProperty(name.User + "@" + name.Host, out var lines))
                {
                    a.Grants.AddRange(lines.EnumerateArray().Select(x => x.GetString()));
                }
                snapshot.Accounts.Add(a);
            }
            foreach (var r in root.GetProperty("branchControl").EnumerateArray())
            {
                var v = r.EnumerateArray().Select(x => x.GetString()).ToArray();
                snapshot.BranchControl.Add(new BranchControlRow(v[0], v[1], v[2], v[3], v[4]));
            }
            foreach (var r in root.GetProperty("branchNamespaceControl").EnumerateArray())
            {
                var v = r.EnumerateArray().Select(x => x.GetString()).ToArray();
                snapshot.BranchNamespaceControl.Add(new BranchNamespaceRow(v[0], v[1], v[2], v[3]));
            }
            return snapshot;
        }
    }
}
