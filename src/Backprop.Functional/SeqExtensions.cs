using System.Linq;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>Small additions to LanguageExt's <c>Seq</c> used inside the core.</summary>
internal static class SeqExtensions
{
    /// <summary>Each item with its position, 0 first.</summary>
    public static Seq<(TItem Item, int Index)> Indexed<TItem>(this Seq<TItem> items) =>
        toSeq(items.Select((item, i) => (item, i)).ToArray());
}
