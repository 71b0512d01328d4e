using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using DoltBackup.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace DoltBackup.Tests.Ebs
{
    /// <summary>
    /// AWSSDK loading in a fresh process that has no AWSSDK on its own probing path (unlike this test process, whose
    /// deps.json lists AWSSDK beside the test assembly). A small PowerShell host, built here, imports the built
    /// DoltBackup.psd1 and a stand-in for AWS.Tools (a manifest whose RequiredAssemblies are AWSSDK.Core/AWSSDK.EC2
    /// from another folder) in different orders, takes a snapshot through EbsSnapshotBackup against the fake endpoint,
    /// and prints every AWSSDK assembly in the process with its location.
    /// What it proves, in PowerShell 7.6 on .NET: importing the module loads no AWSSDK; the first EBS use loads exactly
    /// one copy of each, the one already loaded (AWS.Tools imported before DoltBackup, or after it but before the first
    /// EBS call), else the module's. It does not run Windows PowerShell 5.1 (.NET Framework), which this machine lacks.
    /// </summary>
    public class AwsSdkLoadingInChildProcessTests
    {
        private readonly ITestOutputHelper _out;

        public AwsSdkLoadingInChildProcessTests(ITestOutputHelper output) => _out = output;

        private const string HostProject = """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>disable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <!-- A PowerShell host and nothing else: no AWSSDK on this process's probing path. -->
                <PackageReference Include="System.Management.Automation" Version="7.6.9" />
              </ItemGroup>
            </Project>
            """;

        private const string HostProgram = """
            using System;
            using System.IO;
            using System.Management.Automation;
            using System.Management.Automation.Runspaces;

            public static class Program
            {
                public static int Main(string[] args)
                {
                    var iss = InitialSessionState.CreateDefault2();
                    using var runspace = RunspaceFactory.CreateRunspace(iss);
                    runspace.Open();
                    using var ps = PowerShell.Create();
                    ps.Runspace = runspace;
                    ps.AddScript(File.ReadAllText(args[0]));
                    for (int i = 1; i < args.Length; i++) ps.AddArgument(args[i]);
                    try
                    {
                        foreach (var o in ps.Invoke()) Console.WriteLine(o);
                    }
                    catch (RuntimeException e)
                    {
                        Console.WriteLine("terminating|" + e.Message);
                        return 1;
                    }
                    foreach (var e in ps.Streams.Error) Console.WriteLine("error|" + e);
                    return ps.Streams.Error.Count == 0 ? 0 : 1;
                }
            }
            """;

        // Runs in a real PowerShell engine in the child. AWS.Tools.Common's manifest loads the AWSSDK assemblies
        // through RequiredAssemblies; the stand-in module does the same with the copies in its folder.
        private const string Script = """
            param($Scenario, $Module, $StandIn, $Endpoint)
            $ErrorActionPreference = 'Stop'
            function Show($stage) {
                [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'AWSSDK*' } | ForEach-Object { "$stage|$($_.GetName().Name)|$($_.GetName().Version)|$($_.Location)" }
                "$stage|end"
            }
            function Use-Ebs {
                $o = [DoltBackup.Ebs.EbsSnapshotOptions]::new()
                if ($Scenario -eq 'profile') { $o.ProfileName = 'dolt-backup' } else { $o.Region = 'us-east-1' }
                $o.EndpointUrl = $Endpoint
                $o.VolumeIds.Add('vol-0data0000000000a')
                $o.PollInterval = [TimeSpan]::FromMilliseconds(20)
                $m = [DoltBackup.Manifest.BackupManifest]::new()
                $m.Id = '20261123T191000Z-prod'
                $m.Name = 'prod'
                $null = [DoltBackup.Ebs.EbsSnapshotBackup]::Create($o).Run($m, $o, $null, [Threading.CancellationToken]::None)
                "snapshot|$($m.Snapshots[0].SnapshotId)|$($m.Snapshots[0].Status)"
                "region|$($m.Snapshots[0].Region)"
            }
            if ($Scenario -eq 'before') { Import-Module $StandIn }
            Import-Module $Module
            Show 'imported'
            if ($Scenario -eq 'between') { Import-Module $StandIn }
            Use-Ebs
            Show 'used'
            if ($Scenario -eq 'after') {
                try { Import-Module $StandIn; 'late-import|ok' } catch { "late-import|failed|$($_.Exception.Message)" }
                Show 'late'
                Use-Ebs
            }
            """;

        private static readonly object BuildGate = new object();
        private static string _hostDll;

        private static string BuildHost()
        {
            lock (BuildGate)
            {
                if (_hostDll != null)
                {
                    return _hostDll;
                }
                string dir = Path.Combine(Path.GetTempPath(), "doltbackup-pwsh-host-" + Environment.ProcessId);
                Directory.CreateDirectory(dir);
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                };
                File.WriteAllText(Path.Combine(dir, "PwshHost.csproj"), HostProject);
                File.WriteAllText(Path.Combine(dir, "Program.cs"), HostProgram);
                var (code, output) = Run("dotnet", new[] { "build", Path.Combine(dir, "PwshHost.csproj"), "-c", "Release", "-o", Path.Combine(dir, "out"), "--nologo", "-v", "q" }, null, 300);
                Assert.True(code == 0, "building the host failed:\n" + output);
                _hostDll = Path.Combine(dir, "out", "PwshHost.dll");
                return _hostDll;
            }
        }

        private static (int, string) Run(string file, string[] args, System.Collections.Generic.IDictionary<string, string> env, int timeoutSeconds)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            psi.Environment["DOTNET_NOLOGO"] = "1";
            if (env != null)
            {
                foreach (var kv in env)
                {
                    psi.Environment[kv.Key] = kv.Value;
                }
            }
            using var p = Process.Start(psi);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutSeconds * 1000))
            {
                p.Kill(true);
                throw new TimeoutException(file + " did not finish in " + timeoutSeconds + " s");
            }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }

        private string[] RunScenario(string scenario, out string otherDir, TempDir temp) => RunScenario(scenario, out otherDir, temp, out _);

        private string[] RunScenario(string scenario, out string otherDir, TempDir temp, out System.Collections.Generic.List<Ec2Request> requests)
        {
            string host = BuildHost();
            otherDir = temp.Combine("AwsToolsStandIn");
            Directory.CreateDirectory(otherDir);
            // The test output's copies (lib/net8.0) stand in for AWS.Tools': other files than the module's (lib/netstandard2.0).
            File.Copy(Path.Combine(AppContext.BaseDirectory, "AWSSDK.Core.dll"), Path.Combine(otherDir, "AWSSDK.Core.dll"));
            File.Copy(Path.Combine(AppContext.BaseDirectory, "AWSSDK.EC2.dll"), Path.Combine(otherDir, "AWSSDK.EC2.dll"));
            File.WriteAllText(Path.Combine(otherDir, "AwsToolsStandIn.psd1"),
                "@{ ModuleVersion = '5.0.0'; GUID = '0b6f3a63-1f76-4c1e-9a53-7d1f1f7e2b01'; RequiredAssemblies = @('AWSSDK.Core.dll', 'AWSSDK.EC2.dll') }");
            string script = temp.Combine("scenario.ps1");
            File.WriteAllText(script, Script);
            using var ep = new FakeEc2Endpoint();
            ep.AddInstance("i-0aaa", "us-east-1b");
            ep.AddVolume("vol-0data0000000000a", 100, "us-east-1b", "i-0aaa", "/dev/sdf");
            var env = new System.Collections.Generic.Dictionary<string, string>
            {
                // Fake static credentials through the SDK's default chain (environment); the endpoint is local.
                ["AWS_ACCESS_KEY_ID"] = Ec2TestClient.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = Ec2TestClient.SecretKey,
                ["AWS_EC2_METADATA_DISABLED"] = "true",
                ["AWS_CONFIG_FILE"] = temp.Combine("no-config"),
                ["AWS_SHARED_CREDENTIALS_FILE"] = temp.Combine("no-credentials"),
            };
            if (scenario == "profile")
            {
                // Only the profile's (fake) keys: the environment has none.
                env["AWS_ACCESS_KEY_ID"] = "";
                env["AWS_SECRET_ACCESS_KEY"] = "";
                File.WriteAllText(temp.Combine("no-credentials"), "[dolt-backup]\naws_access_key_id = AKIAPROFILEFAKE00000\naws_secret_access_key = profile-fake-secret-0000000000\n");
                File.WriteAllText(temp.Combine("no-config"), "[profile dolt-backup]\nregion = us-west-2\n");
            }
            var (code, output) = Run("dotnet", new[] { host, script, scenario, RepoPaths.ModuleManifest, Path.Combine(otherDir, "AwsToolsStandIn.psd1"), ep.Url }, env, 180);
            _out.WriteLine(output);
            Assert.True(code == 0, scenario + " host failed:\n" + output);
            Assert.NotEmpty(ep.RequestsFor("CreateSnapshot"));
            requests = ep.Requests.ToList();
            return output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        }

        private static string[] Stage(string[] lines, string stage)
            => lines.Where(l => l.StartsWith(stage + "|", StringComparison.Ordinal) && l != stage + "|end").OrderBy(l => l, StringComparer.Ordinal).ToArray();

        [Fact]
        public void Without_AWS_Tools_the_import_loads_no_AWSSDK_and_first_use_loads_the_module_copy_once()
        {
            using var temp = new TempDir("awssdk-none");
            var lines = RunScenario("none", out _, temp);
            Assert.Empty(Stage(lines, "imported"));
            Assert.Contains(lines, l => l.StartsWith("snapshot|snap-", StringComparison.Ordinal) && l.EndsWith("|Completed", StringComparison.Ordinal));
            var used = Stage(lines, "used");
            Assert.Equal(2, used.Length);
            Assert.All(used, l => Assert.StartsWith(Path.Combine(RepoPaths.LaidOutModule, "AWSSDK."), l.Split('|')[3]));
            Assert.All(used, l => Assert.Equal("4.0.0.0", l.Split('|')[2]));
        }

        [Fact]
        public void With_AWS_Tools_loaded_first_its_AWSSDK_copies_are_reused_and_no_second_copy_is_loaded()
        {
            using var temp = new TempDir("awssdk-before");
            var lines = RunScenario("before", out var otherDir, temp);
            Assert.Contains(lines, l => l.StartsWith("snapshot|snap-", StringComparison.Ordinal) && l.EndsWith("|Completed", StringComparison.Ordinal));
            var used = Stage(lines, "used");
            Assert.Equal(new[] { "AWSSDK.Core", "AWSSDK.EC2" }, used.Select(l => l.Split('|')[1]));
            Assert.All(used, l => Assert.Equal(otherDir, Path.GetDirectoryName(l.Split('|')[3])));
        }

        [Fact]
        public void With_AWS_Tools_imported_after_DoltBackup_but_before_first_EBS_use_its_copies_are_reused()
        {
            using var temp = new TempDir("awssdk-between");
            var lines = RunScenario("between", out var otherDir, temp);
            Assert.Empty(Stage(lines, "imported"));
            Assert.Contains(lines, l => l.StartsWith("snapshot|snap-", StringComparison.Ordinal) && l.EndsWith("|Completed", StringComparison.Ordinal));
            var used = Stage(lines, "used");
            Assert.Equal(new[] { "AWSSDK.Core", "AWSSDK.EC2" }, used.Select(l => l.Split('|')[1]));
            Assert.All(used, l => Assert.Equal(otherDir, Path.GetDirectoryName(l.Split('|')[3])));
        }

        [Fact]
        public void ProfileName_takes_credentials_and_region_from_the_shared_files()
        {
            using var temp = new TempDir("awssdk-profile");
            var lines = RunScenario("profile", out _, temp, out var requests);
            Assert.Contains("region|us-west-2", lines);
            var create = requests.First(r => r.Action == "CreateSnapshot");
            Assert.Contains("Credential=AKIAPROFILEFAKE00000/", create.Authorization);
            Assert.Contains("/us-west-2/ec2/aws4_request", create.Authorization);
            Assert.DoesNotContain("profile-fake-secret", string.Join("\n", lines));
        }

        /// <summary>
        /// The known limit (docs/ebs.md): once an EBS call has loaded the module's AWSSDK copy, PowerShell 7 refuses
        /// to load another file of the same assembly ("Assembly with same name is already loaded"), so an AWS.Tools
        /// import later in that session fails. DoltBackup itself keeps working, still with one copy of each.
        /// </summary>
        [Fact]
        public void With_AWS_Tools_imported_after_first_EBS_use_PowerShell_refuses_the_second_copy_and_DoltBackup_keeps_working()
        {
            using var temp = new TempDir("awssdk-after");
            var lines = RunScenario("after", out _, temp);
            Assert.Contains(lines, l => l.StartsWith("late-import|failed|", StringComparison.Ordinal) && l.Contains("already loaded"));
            var late = Stage(lines, "late");
            Assert.Equal(new[] { "AWSSDK.Core", "AWSSDK.EC2" }, late.Select(l => l.Split('|')[1]));
            Assert.All(late, l => Assert.StartsWith(Path.Combine(RepoPaths.LaidOutModule, "AWSSDK."), l.Split('|')[3]));
            Assert.Equal(2, lines.Count(l => l.StartsWith("snapshot|snap-", StringComparison.Ordinal) && l.EndsWith("|Completed", StringComparison.Ordinal)));
        }
    }
}
