using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Ebs
{
    public class EbsFormatViewTests
    {
        /// <summary>Every column of module/Ebs.Format.ps1xml names a real property of its type (the module import loads the file).</summary>
        [Fact]
        public void Every_view_column_is_a_property_of_its_type()
        {
            var doc = XDocument.Load(Path.Combine(RepoPaths.Root, "module", "Ebs.Format.ps1xml"));
            var views = doc.Descendants("View").ToList();
            Assert.Equal(2, views.Count);
            foreach (var view in views)
            {
                string typeName = view.Element("ViewSelectedBy").Element("TypeName").Value;
                var type = typeof(DoltBackup.Ebs.EbsException).Assembly.GetType(typeName, throwOnError: true);
                foreach (var p in view.Descendants("PropertyName").Select(e => e.Value))
                {
                    Assert.True(type.GetProperty(p) != null, $"{typeName} has no property {p}");
                }
                Assert.Equal(view.Descendants("TableColumnHeader").Count(), view.Descendants("TableColumnItem").Count());
            }
        }

        [Fact]
        public void The_module_lists_the_EBS_format_file()
        {
            using var host = new PowerShellHost();
            var files = host.Invoke("(Get-Module DoltBackup).ExportedFormatFiles").Select(o => Path.GetFileName(o.ToString())).ToList();
            Assert.Contains("Ebs.Format.ps1xml", files);
        }

        [Fact]
        public void An_EbsException_becomes_an_ErrorRecord_with_id_category_and_recommended_action_in_PowerShell()
        {
            using var host = new PowerShellHost();
            var r = host.Run(@"
                function Test-Ebs { [CmdletBinding()] param()
                    $e = [DoltBackup.Ebs.EbsException]::new('EbsAccessDenied', 'PermissionDenied', 'EC2 refused ec2:CreateSnapshot.', 'Grant ec2:CreateSnapshot.', $null)
                    $PSCmdlet.WriteError($e.ToErrorRecord('vol-1'))
                }
                Test-Ebs");
            var error = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.EbsAccessDenied", error.FullyQualifiedErrorId);
            Assert.Equal(System.Management.Automation.ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
            Assert.Equal("Grant ec2:CreateSnapshot.", error.ErrorDetails.RecommendedAction);
            Assert.Equal("vol-1", error.TargetObject);
        }
    }
}
