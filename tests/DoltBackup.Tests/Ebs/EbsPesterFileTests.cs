using System.IO;
using System.Management.Automation.Language;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Ebs
{
    public class EbsPesterFileTests
    {
        /// <summary>Pester cannot run here; at least the file must parse.</summary>
        [Fact]
        public void The_Pester_file_parses()
        {
            Parser.ParseFile(Path.Combine(RepoPaths.Root, "tests", "pester", "Ebs.Tests.ps1"), out _, out var errors);
            Assert.Empty(errors);
        }

        [Fact]
        public void The_EbsRestore_Pester_file_parses()
        {
            Parser.ParseFile(Path.Combine(RepoPaths.Root, "tests", "pester", "EbsRestore.Tests.ps1"), out _, out var errors);
            Assert.Empty(errors);
        }
    }
}
