using Backprop.Functional.Cli.Data;

namespace Backprop.Functional.Cli.Models;

/// <summary>
/// A directory that a command made for its output, told by its device and inode, so that it
/// can be removed on the way out should nothing have been saved in it: that very directory, and
/// only while it is empty.
/// </summary>
/// <remarks>
/// The removal looks at what the path names itself (lstat(2), a link not followed) and then
/// calls rmdir(2), which removes only an empty directory: a symbolic link, a file or another
/// directory put in its place is left, and so is the directory once anything is in it. A
/// change in the moment between the two calls is not seen; see
/// docs/limitations.md#a-directory-moved-during-a-save.
/// </remarks>
/// <param name="Path">The directory's path, as the command names it.</param>
/// <param name="Identity">Its device and inode, as made.</param>
internal sealed record MadeDirectory(string Path, (long Device, long Inode) Identity)
{
    /// <summary>
    /// The directory at <paramref name="path"/>, just made by the command; null when it cannot
    /// be told apart from another (its identity cannot be read), so that it is never removed.
    /// </summary>
    public static MadeDirectory? At(string path) =>
        PosixPaths.Identity(path, follow: false) is { } identity ? new(path, identity) : null;

    /// <summary>
    /// Removes the directory if the path still names it, not a link or anything else put in its
    /// place, and it is empty; whether it did.
    /// </summary>
    public bool RemoveIfEmpty() =>
        PosixPaths.Identity(Path, follow: false) == Identity
        && PosixPaths.RemoveEmptyDirectory(Path);
}
