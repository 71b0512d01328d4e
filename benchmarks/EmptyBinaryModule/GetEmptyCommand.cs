using System.Management.Automation;

namespace EmptyBinaryModule
{
    /// <summary>The only cmdlet of the baseline module.</summary>
    [Cmdlet(VerbsCommon.Get, "EmptyThing")]
    public sealed class GetEmptyCommand : Cmdlet
    {
    }
}
