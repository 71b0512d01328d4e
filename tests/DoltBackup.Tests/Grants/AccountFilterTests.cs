using DoltBackup.Grants;
using Xunit;

namespace DoltBackup.Tests.Grants
{
    public class AccountFilterTests
    {
        [Theory]
        [InlineData(new[] { "app*" }, null, "app_rw", "%", true)]
        [InlineData(new[] { "app*" }, null, "reporter", "%", false)]
        [InlineData(new[] { "APP" }, null, "app", "%", true)]
        [InlineData(new[] { "app@10.0.*" }, null, "app", "10.0.%", true)]
        [InlineData(new[] { "app@10.0.*" }, null, "app", "%", false)]
        [InlineData(null, new[] { "root", "mariadb.sys" }, "root", "localhost", false)]
        [InlineData(null, new[] { "root" }, "app", "%", true)]
        [InlineData(new[] { "a?p" }, new[] { "*@localhost" }, "app", "localhost", false)]
        [InlineData(new[] { "[ab]*" }, null, "bob", "%", true)]
        [InlineData(new[] { "[ab]*" }, null, "carl", "%", false)]
        public void Wildcards_select_accounts(string[] include, string[] exclude, string user, string host, bool accepted)
        {
            Assert.Equal(accepted, new AccountFilter(include, exclude).Accepts(new AccountName(user, host)));
        }
    }
}
