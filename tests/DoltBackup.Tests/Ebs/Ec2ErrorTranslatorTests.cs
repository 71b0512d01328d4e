using System.Collections.Generic;
using System.Management.Automation;
using DoltBackup.Ebs;
using Xunit;

namespace DoltBackup.Tests.Ebs
{
    public class Ec2ErrorTranslatorTests
    {
        [Fact]
        public void Access_denied_without_an_action_in_the_message_names_the_called_action()
        {
            var e = Ec2ErrorTranslator.Translate("UnauthorizedOperation", 403, "You are not authorized to perform this operation.", "CreateSnapshots", false, false, null);
            Assert.Equal("EbsAccessDenied", e.ErrorId);
            Assert.Contains("lacks the permission ec2:CreateSnapshots", e.Message);
            Assert.Contains("Grant ec2:CreateSnapshots", e.RecommendedAction);
        }

        [Theory]
        [InlineData("AuthFailure", "EbsAuthenticationFailed", ErrorCategory.AuthenticationError)]
        [InlineData("RequestLimitExceeded", "EbsThrottled", ErrorCategory.LimitsExceeded)]
        [InlineData("SnapshotLimitExceeded", "EbsLimitExceeded", ErrorCategory.LimitsExceeded)]
        [InlineData("InvalidVolume.NotFound", "EbsNotFound", ErrorCategory.ObjectNotFound)]
        [InlineData("IncorrectState", "EbsRequestFailed", ErrorCategory.InvalidOperation)]
        public void EC2_codes_map_to_ids_and_categories(string code, string id, ErrorCategory category)
        {
            var e = Ec2ErrorTranslator.Translate(code, 400, "message from EC2", "CreateVolume", false, false, null);
            Assert.Equal(id, e.ErrorId);
            Assert.Equal(category, e.Category);
            Assert.Equal(code, e.AwsErrorCode);
            Assert.Contains("ec2:CreateVolume", e.Message);
        }

        [Fact]
        public void Network_and_client_side_failures_are_told_apart()
        {
            Assert.Equal("EbsEndpointUnreachable", Ec2ErrorTranslator.Translate(null, 0, "Connection refused", "DescribeVolumes", true, true, null).ErrorId);
            var config = Ec2ErrorTranslator.Translate(null, 0, "Failed to resolve AWS credentials.", "DescribeVolumes", true, false, null);
            Assert.Equal("EbsAwsConfiguration", config.ErrorId);
            Assert.Contains("-ProfileName", config.RecommendedAction);
        }
    }

    public class EbsTagsTests
    {
        [Fact]
        public void User_tags_follow_DoltBackup_tags_and_reserved_or_oversized_ones_are_refused()
        {
            var own = new Dictionary<string, string> { ["Name"] = "DoltBackup x", [EbsTags.BackupId] = "x", [EbsTags.Databases] = null };
            var tags = EbsTags.Build(own, new Dictionary<string, string> { ["Name"] = "mine", ["Team"] = "dba" });
            Assert.Equal("mine", tags["Name"]);
            Assert.Equal("dba", tags["Team"]);
            Assert.False(tags.ContainsKey(EbsTags.Databases));
            Assert.Equal("EbsInvalidTag", Assert.Throws<EbsException>(() => EbsTags.Build(own, new Dictionary<string, string> { ["aws:x"] = "1" })).ErrorId);
            Assert.Equal("EbsInvalidTag", Assert.Throws<EbsException>(() => EbsTags.Build(own, new Dictionary<string, string> { ["DoltBackup:BackupId"] = "1" })).ErrorId);
            Assert.Equal("EbsInvalidTag", Assert.Throws<EbsException>(() => EbsTags.Build(own, new Dictionary<string, string> { ["k"] = new string('v', 257) })).ErrorId);
            var many = new Dictionary<string, string>();
            for (int i = 0; i < 49; i++) many["k" + i] = "v";
            Assert.Equal("EbsInvalidTag", Assert.Throws<EbsException>(() => EbsTags.Build(own, many)).ErrorId);
        }

        [Fact]
        public void A_hashtable_becomes_a_string_dictionary_and_long_database_lists_are_cut()
        {
            var d = EbsTags.FromHashtable(new System.Collections.Hashtable { ["Team"] = "dba", ["Cost"] = 42, ["Empty"] = null });
            Assert.Equal("dba", d["Team"]);
            Assert.Equal("42", d["Cost"]);
            Assert.Equal("", d["Empty"]);
            var names = new List<string>();
            for (int i = 0; i < 100; i++) names.Add("database_" + i);
            string joined = EbsTags.JoinDatabases(names);
            Assert.Equal(256, joined.Length);
            Assert.EndsWith("...", joined);
        }
    }
}
