using System.IO;
using System.Security.AccessControl;
using System.Security.Principal;

namespace DoltBackup.Common
{
    /// <summary>Owner-only access on Windows: inheritance removed, full control for the current user only.</summary>
    internal static class WindowsAcl
    {
        public static void RestrictToCurrentUser(string path)
        {
            var file = new FileInfo(path);
            var security = new FileSecurity();
            security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
            var me = WindowsIdentity.GetCurrent().User;
            security.SetOwner(me);
            security.AddAccessRule(new FileSystemAccessRule(me, FileSystemRights.FullControl, AccessControlType.Allow));
            file.SetAccessControl(security);
        }
    }
}
