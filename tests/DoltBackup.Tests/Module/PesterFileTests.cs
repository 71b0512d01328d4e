using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Module
{
    /// <summary>
    /// Pester cannot run here. These read tests/pester/*.Tests.ps1 with PowerShell's parser and refuse the mistakes
    /// that made them fail under real pwsh 7.6 + Pester 5.9 (the behaviours themselves: PesterMirrorTests).
    /// </summary>
    public class PesterFileTests
    {
        public static IEnumerable<object[]> Files() =>
            Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests", "pester"), "*.Tests.ps1").OrderBy(f => f).Select(f => new object[] { Path.GetFileName(f) });

        private static ScriptBlockAst Parse(string file)
        {
            var ast = Parser.ParseFile(Path.Combine(RepoPaths.Root, "tests", "pester", file), out _, out var errors);
            Assert.True(errors.Length == 0, file + ": " + string.Join("; ", errors.Select(e => e.Extent.StartLineNumber + ": " + e.Message)));
            return ast;
        }

        private static IEnumerable<CommandAst> Commands(Ast ast, params string[] names) =>
            ast.FindAll(a => a is CommandAst c && names.Contains(c.GetCommandName(), StringComparer.OrdinalIgnoreCase), true).Cast<CommandAst>();

        private static string Where(Ast a) => "line " + a.Extent.StartLineNumber + ": " + a.Extent.Text.Split('\n')[0].Trim();

        /// <summary>The argument given to -Name (or the switch itself, as `-Name:value`).</summary>
        private static CommandElementAst Argument(CommandAst command, string parameter)
        {
            var elements = command.CommandElements;
            for (int i = 0; i < elements.Count; i++)
            {
                if (elements[i] is CommandParameterAst p && p.ParameterName.Equals(parameter, StringComparison.OrdinalIgnoreCase))
                {
                    return p.Argument != null ? p.Argument : i + 1 < elements.Count ? elements[i + 1] : p;
                }
            }
            return null;
        }

        /// <summary>A variable's name without its scope or drive ($script:x, $env:x: x).</summary>
        private static string Bare(System.Management.Automation.VariablePath path)
        {
            string name = path.UserPath;
            int colon = name.IndexOf(':');
            return colon < 0 ? name : name.Substring(colon + 1);
        }

        private static bool Has(CommandAst command, string parameter) => Argument(command, parameter) != null;

        private static IEnumerable<ScriptBlockExpressionAst> BlocksOf(Ast ast, params string[] keywords) =>
            Commands(ast, keywords).SelectMany(c => c.CommandElements.OfType<ScriptBlockExpressionAst>());

        /// <summary>True when <paramref name="assignment"/> sits in a try whose finally sets $env:<paramref name="name"/> back.</summary>
        private static bool IsInFinallyRestoring(Ast assignment, string name)
        {
            for (var a = assignment.Parent; a != null; a = a.Parent)
            {
                if (a is TryStatementAst t && t.Finally != null && t.Finally.Find(f => f is AssignmentStatementAst s && s.Left is VariableExpressionAst v
                    && v.VariablePath.DriveName == "env" && Bare(v.VariablePath).Trim().Equals(name, StringComparison.OrdinalIgnoreCase), true) != null)
                {
                    return true;
                }
            }
            return false;
        }

        [Theory]
        [MemberData(nameof(Files))]
        public void It_parses_and_avoids_the_known_Pester_5_mistakes(string file)
        {
            var problems = Problems(Parse(file));
            Assert.True(problems.Count == 0, file + ":\n" + string.Join("\n", problems));
        }

        /// <summary>The known Pester 5 mistakes in a parsed file, one line each.</summary>
        private static List<string> Problems(ScriptBlockAst ast)
        {
            var problems = new List<string>();

            // Should -Throw -ErrorId compares the whole FullyQualifiedErrorId ('Id,Namespace.Command') with -like.
            foreach (var should in Commands(ast, "Should"))
            {
                if (Argument(should, "ErrorId") is StringConstantExpressionAst id && !id.Value.Contains(',') && !id.Value.EndsWith("*", StringComparison.Ordinal))
                {
                    problems.Add("-ErrorId must be the full 'Id,Namespace.Command' id: " + Where(should));
                }
            }

            // Enum text differs between versions ('UserWrite, UserRead' on 7.6): compare flags.
            foreach (var call in ast.FindAll(a => a is InvokeMemberExpressionAst m && m.Member.Extent.Text == "ToString"
                && m.Expression.Extent.Text.Contains("UnixFileMode"), true))
            {
                problems.Add("compare UnixFileMode flags, not text: " + Where(call));
            }
            foreach (var mode in ast.FindAll(a => a is MemberExpressionAst m && m.Member.Extent.Text == "UnixMode", true))
            {
                problems.Add("compare UnixFileMode flags, not UnixMode text: " + Where(mode));
            }

            // ConvertTo-SecureString '' throws: an empty or missing password must become [securestring]::new(). A string
            // with literal text of its own ('x', "key=$k") is never empty.
            foreach (var convert in Commands(ast, "ConvertTo-SecureString"))
            {
                var first = convert.CommandElements.Skip(1).FirstOrDefault(e => !(e is CommandParameterAst));
                bool neverEmpty = (first is StringConstantExpressionAst constant && constant.Value.Length > 0)
                    || (first is ExpandableStringExpressionAst expandable && expandable.Value.Length > expandable.NestedExpressions.Sum(n => n.Extent.Text.Length));
                if (!neverEmpty
                    && !convert.Parent.Extent.Text.Contains("[securestring]::new()", StringComparison.OrdinalIgnoreCase)
                    && !ast.Extent.Text.Contains("[securestring]::new()", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add("an empty password needs [securestring]::new(): " + Where(convert));
                }
            }

            // TestDrive is shared by the It blocks of a Describe: listing its root sees the other tests' files.
            foreach (var gci in Commands(ast, "Get-ChildItem", "gci", "dir", "ls"))
            {
                if (gci.CommandElements.Skip(1).Any(e => e is VariableExpressionAst v && v.VariablePath.UserPath.Equals("TestDrive", StringComparison.OrdinalIgnoreCase)))
                {
                    problems.Add("use a fresh folder per It, not the shared $TestDrive root: " + Where(gci));
                }
            }

            // -Skip is evaluated at discovery, before any BeforeAll: only $env:, automatic variables and BeforeDiscovery ones.
            var discovered = BlocksOf(ast, "BeforeDiscovery")
                .SelectMany(b => b.FindAll(a => a is AssignmentStatementAst, true).Cast<AssignmentStatementAst>())
                .Select(a => a.Left is VariableExpressionAst v ? Bare(v.VariablePath) : null)
                .Where(n => n != null).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var automatic = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "true", "false", "null", "IsWindows", "IsLinux", "IsMacOS", "IsCoreCLR", "PSVersionTable", "_" };
            foreach (var block in Commands(ast, "It", "Describe", "Context"))
            {
                var skip = Argument(block, "Skip");
                if (skip == null)
                {
                    continue;
                }
                foreach (var v in skip.FindAll(a => a is VariableExpressionAst, true).Cast<VariableExpressionAst>())
                {
                    var path = v.VariablePath;
                    if (!path.IsDriveQualified && !automatic.Contains(Bare(path)) && !discovered.Contains(Bare(path)))
                    {
                        problems.Add("-Skip reads $" + path.UserPath + ", which is not set at discovery (use BeforeDiscovery): " + Where(block));
                    }
                }
            }

            // What BeforeDiscovery sets is gone by the Run phase: a block that runs then and reads such a variable
            // needs it set again in a BeforeAll/BeforeEach.
            var reset = BlocksOf(ast, "BeforeAll", "BeforeEach")
                .SelectMany(b => b.FindAll(a => a is AssignmentStatementAst, true).Cast<AssignmentStatementAst>())
                .Select(a => a.Left is VariableExpressionAst v ? Bare(v.VariablePath) : null)
                .Where(n => n != null).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var read in BlocksOf(ast, "BeforeAll", "BeforeEach", "It", "AfterAll", "AfterEach")
                .SelectMany(b => b.FindAll(a => a is VariableExpressionAst, true).Cast<VariableExpressionAst>())
                .Where(v => discovered.Contains(Bare(v.VariablePath)) && !reset.Contains(Bare(v.VariablePath))))
            {
                problems.Add("$" + read.VariablePath.UserPath + " is set only in BeforeDiscovery: it is $null when this runs: " + Where(read.Parent));
            }

            // PowerShell does not bind C# extension methods: $cert.GetRSAPrivateKey() fails at run time.
            var extensions = new[] { "GetRSAPrivateKey", "GetRSAPublicKey", "GetECDsaPrivateKey", "GetECDsaPublicKey", "GetDSAPrivateKey", "GetDSAPublicKey", "CopyWithPrivateKey" };
            foreach (var call in ast.FindAll(a => a is InvokeMemberExpressionAst m && !m.Static && extensions.Contains(m.Member.Extent.Text, StringComparer.OrdinalIgnoreCase), true))
            {
                problems.Add("call the extension method statically ([...RSACertificateExtensions]::GetRSAPrivateKey($cert)): " + Where(call));
            }

            // Code directly in the file or in a Describe/Context body runs at discovery only: its variables are not
            // visible inside It. Set them in BeforeAll/BeforeEach.
            var bodies = new List<ScriptBlockAst> { ast };
            bodies.AddRange(BlocksOf(ast, "Describe", "Context").Select(b => b.ScriptBlock));
            foreach (var body in bodies)
            {
                foreach (var statement in body.EndBlock?.Statements ?? Enumerable.Empty<StatementAst>())
                {
                    if (statement is AssignmentStatementAst)
                    {
                        problems.Add("an assignment outside BeforeAll/BeforeEach/It is invisible to the tests: " + Where(statement));
                    }
                }
            }

            // An environment variable a file sets is put back when the file is done (other files run in the same session):
            // to the value it had, which the file saved first (deleting it loses a value the session had set).
            var restored = string.Join("\n", BlocksOf(ast, "AfterAll", "AfterEach").Select(b => b.Extent.Text));
            var saved = new HashSet<string>(ast.FindAll(a => a is AssignmentStatementAst s && !(s.Left is VariableExpressionAst l && l.VariablePath.DriveName == "env"), true)
                .SelectMany(a => ((AssignmentStatementAst)a).Right.FindAll(r => r is VariableExpressionAst v && v.VariablePath.DriveName == "env", true))
                .Select(v => Bare(((VariableExpressionAst)v).VariablePath).Trim()), StringComparer.OrdinalIgnoreCase);
            foreach (var env in ast.FindAll(a => a is AssignmentStatementAst s && s.Left is VariableExpressionAst v && v.VariablePath.DriveName == "env", true))
            {
                string name = Bare(((VariableExpressionAst)((AssignmentStatementAst)env).Left).VariablePath).Trim();
                if (!restored.Contains(name, StringComparison.OrdinalIgnoreCase) && !IsInFinallyRestoring(env, name))
                {
                    problems.Add("$env:" + name + " is set but never put back in AfterAll/AfterEach: " + Where(env));
                }
                if (!saved.Contains(name))
                {
                    problems.Add("$env:" + name + " is set without saving its previous value first ($saved = $env:" + name + "), so it cannot be put back: " + Where(env));
                }
            }

            // A file that registers backups on the shared test server removes its registrations when it is done.
            bool registers = Commands(ast, "New-DoltBackup").Any(c => Has(c, "Server") && Has(c, "Name") && !Has(c, "WhatIf"));
            if (registers && !restored.Contains("dolt_backup('remove'", StringComparison.OrdinalIgnoreCase) && !restored.Contains("-Unregister", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add("registers backups on the test server (New-DoltBackup -Server -Name) but never removes them in AfterAll/AfterEach (dolt_backup('remove', name), or Remove-DoltBackup -Unregister)");
            }

            // dolt_backup() names are per server: a test that registers on the shared test server uses its own -Name.
            foreach (var create in Commands(ast, "New-DoltBackup"))
            {
                if (Has(create, "Server") && Has(create, "Destination") && !Has(create, "WhatIf") && !Has(create, "Name")
                    && Argument(create, "Server").Extent.Text.Contains("server", StringComparison.OrdinalIgnoreCase) && !Has(create, "ErrorAction"))
                {
                    problems.Add("registers the default name on the shared server: give -Name: " + Where(create));
                }
            }

            return problems;
        }

        private static List<string> ProblemsIn(string script)
        {
            var ast = Parser.ParseInput(script, out _, out var errors);
            Assert.Empty(errors);
            return Problems(ast);
        }

        [Theory]
        // Deleted, never saved: a value the session had set is lost.
        [InlineData("BeforeAll { $env:DOLT_ROOT_PATH = 'x' }\nAfterAll { Remove-Item Env:DOLT_ROOT_PATH }", "without saving")]
        // Saved, never put back.
        [InlineData("BeforeAll { $script:saved = $env:DOLT_ROOT_PATH; $env:DOLT_ROOT_PATH = 'x' }", "never put back")]
        // A finally that puts back another variable whose name starts alike does not count.
        [InlineData("It 'x' { $old = $env:DOLT_ROOT; try { $env:DOLT_ROOT = 'x' } finally { $env:DOLT_ROOT_PATH = $old } }", "never put back")]
        [InlineData("Describe 'd' { It 'x' { New-DoltBackup -Server $script:server -Destination $d -Name $n } }", "never removes them")]
        public void The_environment_and_registration_rules_catch_what_they_say(string script, string problem)
        {
            var problems = ProblemsIn(script);
            Assert.True(problems.Any(p => p.Contains(problem, StringComparison.Ordinal)), string.Join("\n", problems));
        }

        [Theory]
        [InlineData("BeforeAll { $script:saved = $env:DOLT_ROOT_PATH; $env:DOLT_ROOT_PATH = 'x' }\n"
            + "AfterAll { if ($null -eq $script:saved) { Remove-Item Env:DOLT_ROOT_PATH } else { $env:DOLT_ROOT_PATH = $script:saved } }")]
        [InlineData("It 'x' { $old = $env:DOLT_ROOT_PATH; try { $env:DOLT_ROOT_PATH = 'x' } finally { $env:DOLT_ROOT_PATH = $old } }")]
        [InlineData("Describe 'd' { It 'x' { New-DoltBackup -Server $script:server -Destination $d -Name $n -WhatIf } }")]
        [InlineData("Describe 'd' { AfterAll { dolt sql -q \"CALL dolt_backup('remove', 'n');\" }\n  It 'x' { New-DoltBackup -Server $script:server -Destination $d -Name $n } }")]
        [InlineData("Describe 'd' { AfterEach { Get-DoltBackup $d | Remove-DoltBackup -Unregister -Force }\n  It 'x' { New-DoltBackup -Server $script:server -Destination $d -Name $n } }")]
        public void The_environment_and_registration_rules_pass_a_file_that_follows_them(string script)
        {
            var problems = ProblemsIn(script);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
    }
}
