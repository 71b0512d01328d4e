using DoltBackup.Grants;
using Xunit;

namespace DoltBackup.Tests.Grants
{
    public class GrantLineNormalizerTests
    {
        [Theory]
        [InlineData("GRANT SELECT, INSERT ON *.* TO `u`@`%`", "GRANT INSERT, SELECT ON *.* TO `u`@`%`")]
        [InlineData("GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*2B60'", "GRANT USAGE ON *.* TO `u`@`%`")]
        [InlineData("GRANT RELOAD, PROCESS ON *.* TO `e`@`%` IDENTIFIED BY PASSWORD '*77B4' WITH GRANT OPTION", "GRANT PROCESS, RELOAD ON *.* TO `e`@`%` WITH GRANT OPTION")]
        [InlineData("GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED VIA ed25519 USING 'abc''d' OR unix_socket REQUIRE SSL", "GRANT USAGE ON *.* TO `u`@`%` REQUIRE SSL")]
        [InlineData("GRANT SELECT (`b`, `a`), INSERT (`c`) ON `d`.`t` TO `u`@`%`", "GRANT INSERT (`c`), SELECT (`a`, `b`) ON `d`.`t` TO `u`@`%`")]
        [InlineData("GRANT `r2` TO `o'q``b`@`%` WITH ADMIN OPTION", "GRANT `r2` TO `o'q``b`@`%` WITH ADMIN OPTION")]
        [InlineData("GRANT `writer`@`%` TO `app`@`10.0.%`", "GRANT `writer`@`%` TO `app`@`10.0.%`")]
        [InlineData("GRANT EXECUTE ON PROCEDURE `d1`.`p1` TO `ünï`@`127.0.0.1`", "GRANT EXECUTE ON PROCEDURE `d1`.`p1` TO `ünï`@`127.0.0.1`")]
        [InlineData("GRANT SELECT ON `on to`.`identified` TO `to`@`on`", "GRANT SELECT ON `on to`.`identified` TO `to`@`on`")]
        [InlineData("GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION", "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION")]
        [InlineData("SET DEFAULT ROLE `r1` FOR `emp`@`%`", "SET DEFAULT ROLE `r1` FOR `emp`@`%`")]
        public void Normalizes_privileges_and_strips_authentication(string input, string expected)
        {
            Assert.Equal(expected, GrantLineNormalizer.Normalize(input));
        }
    }
}
