using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Backprop.Functional.Cli.Commands;
using Backprop.Functional.Cli.Data;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;

namespace Backprop.Functional.Cli.Running;

/// <summary>
/// A run's hold on its --checkpoint directory: of two runs that save their checkpoints to the
/// same directory, only one trains; the other is refused before its first epoch, rather than
/// both training and the last to save replacing the other's checkpoint.
/// </summary>
/// <remarks>
/// <para>
/// The hold is an exclusive flock(2) on the directory itself, asked for without waiting and kept
/// on an open descriptor until the run ends (<see cref="Dispose"/>). The kernel releases it when
/// the descriptor is closed, which it does for a process that ends in any way, SIGKILL
/// included: a killed run leaves no stale lock behind. It writes nothing, so the directory holds
/// the checkpoint and nothing else.
/// </para>
/// <para>
/// It is taken as soon as the directory exists: in <see cref="Take"/> when it is there before
/// the run starts, so before the --resume checkpoint is read, and otherwise in
/// <see cref="Hold"/>, which makes the directory just before the first epoch. Once it is
/// held, the run looks for a checkpoint it would replace: one that is not its --resume, or,
/// when the directory is made by <see cref="Hold"/>, any at all (another run has made the
/// directory and saved there since this one started).
/// </para>
/// <para>
/// Each save goes through the descriptor (<see cref="Held"/>), so that a checkpoint lands whole
/// in the directory held, wherever that was moved. A directory the run made and saved nothing
/// in is removed on the way out, by <see cref="Dispose"/> or by a stop signal, if it is still
/// empty and still the one made.
/// </para>
/// <para>
/// LIMITATION: the lock is taken on Linux only, and only where the directory can be opened for
/// reading and the file system takes a flock; elsewhere the run looks for a checkpoint it would
/// replace without it, so two runs started at the same moment can still both go on; see
/// docs/limitations.md#two-runs-on-one-checkpoint-directory.
/// </para>
/// </remarks>
internal sealed partial class CheckpointClaim : IDisposable
{
    // flock(2), as Linux defines it on every architecture .NET runs on.
    private const int Exclusive = 2;
    private const int NoWait = 4;
    private const int WouldBlock = 11;

    // What Linux adds to the link in /proc/self/fd of a directory that was removed.
    private const string Deleted = " (deleted)";

    private readonly TrainSettings _settings;

    /// <summary>
    /// Called with the checkpoint's path as <see cref="Keep"/> begins, before each save; for
    /// tests that change the directory during a run. Null otherwise.
    /// </summary>
    internal static Action<string>? Keeping { get; set; }

    // Removes the directory the run made when nothing was saved in it, should a stop signal
    // end the process.
    private readonly IDisposable _onStop;

    private DirectoryLock? _lock;

    // Whether the directory is the run's: locked (where a lock can be taken) and looked into.
    private bool _held;

    // The directory the run made, or null when it made none (or its identity cannot be told).
    private MadeDirectory? _made;

    private CheckpointClaim(TrainSettings settings)
    {
        _settings = settings;
        _onStop = StopSignals.OnStop(RemoveIfUnused);
    }

    /// <summary>
    /// The directory the run holds, open, for each save to go through: a directory moved away
    /// meanwhile takes the checkpoint with it, whole. Null where no lock is held.
    /// </summary>
    public DirectoryHandle? Held => _lock;

    /// <summary>
    /// The claim of a run as <paramref name="settings"/> describe it, held already when its
    /// --checkpoint directory exists (nothing to hold for a run without --checkpoint).
    /// </summary>
    /// <exception cref="CommandFailure">Exit code 2 when another run holds the directory, or
    /// when it holds a checkpoint that is not the one the run resumes.</exception>
    public static CheckpointClaim Take(TrainSettings settings)
    {
        var claim = new CheckpointClaim(settings);
        try
        {
            if (settings.CheckpointDirectory is { } directory && Directory.Exists(directory))
            {
                claim.Lock(resumable: true);
            }

            return claim;
        }
        catch
        {
            claim.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes the --checkpoint directory if it is not there yet and holds it, before the first
    /// epoch; nothing when the claim is held already or the run keeps no checkpoint.
    /// </summary>
    /// <exception cref="CommandFailure">Exit code 1 when the directory cannot be made; exit
    /// code 2 when another run holds it or has saved a checkpoint there.</exception>
    public void Hold()
    {
        if (_held || _settings.CheckpointPath is not { } path)
        {
            return;
        }

        var directory = _settings.CheckpointDirectory!;
        var existed = Directory.Exists(directory);
        MakeDirectory(directory, path);
        _made = existed ? null : MadeDirectory.At(directory);
        Lock(resumable: false);
    }

    /// <summary>
    /// Makes <paramref name="directory"/>, where the checkpoint <paramref name="path"/> is
    /// saved, if it is not there (a no-op while it is).
    /// </summary>
    /// <exception cref="CommandFailure">Exit code 1 when it cannot be made.</exception>
    public static void MakeDirectory(string directory, string path)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A relative directory once the current directory was removed: said as the save
            // itself says it (AtomicFile), whichever of the two meets the removal first.
            if (CurrentDirectory.IsRemoval(e))
            {
                throw CommandFailure.Failed($"cannot write {path}: {CurrentDirectory.Gone}");
            }

            // Checked before the run; something has put a file there since, or taken the
            // right to write.
            throw CommandFailure.Failed(File.Exists(directory)
                ? $"cannot save {path}: {directory} is a file now, where the run made its "
                    + "checkpoint directory"
                : $"cannot save {path}: the directory {directory} cannot be made "
                    + $"({ExceptionMessage.Of(e)})");
        }
    }

    /// <summary>
    /// Before the checkpoint <paramref name="path"/> is saved: makes the --checkpoint directory
    /// again, and holds the new one, should it have been removed; refuses to save when the
    /// directory this run holds is no longer the one its path leads to (moved away or renamed
    /// over, or a link re-pointed), since another run may have taken the one there now.
    /// </summary>
    /// <exception cref="CommandFailure">Exit code 1 when the path leads elsewhere, the
    /// directory cannot be made again, or another run holds the one made again.</exception>
    public void Keep(string path)
    {
        Keeping?.Invoke(path);
        var directory = _settings.CheckpointDirectory!;
        if (!Directory.Exists(directory))
        {
            MakeDirectory(directory, path);
            _made = MadeDirectory.At(directory);
            if (_lock is not null)
            {
                _lock.Dispose();
                _lock = DirectoryLock.Take(directory, out var busy);
                if (busy)
                {
                    throw CommandFailure.Failed(
                        $"cannot save {path}: {directory} was removed during the run, and "
                        + "another run holds the directory made there since");
                }
            }

            return;
        }

        if (_lock is { } held
            && PosixPaths.Identity(held) is { } locked
            && PosixPaths.Identity(directory) is { } now
            && now != locked)
        {
            throw CommandFailure.Failed(
                $"cannot save {path}: {directory} is no longer the directory this run holds "
                + "(moved, replaced or re-pointed during the run); "
                + Whereabouts(held, directory));
        }
    }

    /// <summary>
    /// Lets the directory go, for the next run, having removed it if the run made it and saved
    /// nothing there.
    /// </summary>
    public void Dispose()
    {
        _onStop.Dispose();
        RemoveIfUnused();
        _lock?.Dispose();
    }

    /// <summary>
    /// What the line of a run whose --checkpoint no longer leads to the directory it holds
    /// says of that directory and its last checkpoint, from <paramref name="link"/>, the link
    /// of the directory's descriptor in /proc (null when it cannot be read): where the
    /// directory is now when the link leads to it (<paramref name="found"/>), named as
    /// <paramref name="given"/>, the --checkpoint, is (relative to the current directory when
    /// that is); that it was removed when the kernel marks the link "(deleted)"; and no more
    /// than that the checkpoint stays in it otherwise.
    /// </summary>
    internal static string Whereabouts(string? link, bool found, string given)
    {
        if (found)
        {
            return "its last checkpoint stays in the one it holds, now at "
                + AsGiven(link!, given);
        }

        return link?.EndsWith(Deleted, StringComparison.Ordinal) == true
            ? "the one it holds was removed, and its last checkpoint with it"
            : "its last checkpoint stays in the one it holds, unless that was removed";
    }

    // Where the directory held is now, from its descriptor's link: a path found only when it
    // leads to that directory (a directory may be named "x (deleted)" itself).
    private static string Whereabouts(DirectoryHandle held, string given)
    {
        string? link = null;
        try
        {
            link = held.Through is { } through ? new FileInfo(through).LinkTarget : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more is said.
        }

        var found = link is not null
            && PosixPaths.Identity(link) is { } there
            && there == PosixPaths.Identity(held);
        return Whereabouts(link, found, given);
    }

    // An absolute path named as given is: relative to the current directory when given is.
    private static string AsGiven(string path, string given)
    {
        if (Path.IsPathRooted(given))
        {
            return path;
        }

        try
        {
            return Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No current directory to be relative to (removed): the path the kernel gives.
            return path;
        }
    }

    // On the way out: the directory the run made, should it have saved nothing there, is
    // removed, if it is still empty and still the one made (MadeDirectory). One that was there
    // before the run, or a link or directory put in the place of the one made, is left.
    private void RemoveIfUnused()
    {
        if (_made?.RemoveIfEmpty() == true)
        {
            _made = null;
        }
    }

    // Locks the directory, then looks for a checkpoint this run would replace. Only a run that
    // held the directory before it read its --resume may replace that checkpoint: one that
    // took the lock later may have read it before another run moved it on.
    private void Lock(bool resumable)
    {
        var (directory, kept) = (_settings.CheckpointDirectory!, _settings.CheckpointPath!);
        _lock = DirectoryLock.Take(directory, out var busy);
        if (busy)
        {
            throw CommandFailure.Usage(
                $"--checkpoint {directory} is held by another run, which saves its checkpoint "
                + "there; wait for that run to end, or choose another directory");
        }

        _held = true;
        var resumes = resumable && _settings.ResumePath is { } resume
            && PathIdentity.Same(resume, kept);
        if (File.Exists(kept) && FileKind.BrokenLink(kept) is null && !resumes)
        {
            throw CommandFailure.Usage(
                $"--checkpoint {directory} already holds a checkpoint, {kept}, which this run "
                + $"would replace; resume it with --resume {kept}, or choose another directory");
        }
    }

    /// <summary>
    /// An open descriptor of a directory with an exclusive flock on it; closing it lets go.
    /// Tests take one to stand for another run.
    /// </summary>
    internal sealed partial class DirectoryLock : DirectoryHandle
    {
        private const int BusyTries = 25;
        private const int BusyPause = 10;

        private DirectoryLock(int descriptor)
            : base(descriptor)
        {
        }

        /// <summary>
        /// The lock on <paramref name="directory"/>, or null when it cannot be taken here (not
        /// Linux, a directory that cannot be opened, a file system without flock) or is
        /// <paramref name="busy"/>: held on another open descriptor, of this process or another.
        /// </summary>
        public static DirectoryLock? Take(string directory, out bool busy)
        {
            busy = false;
            if (Descriptor(directory) is not { } descriptor)
            {
                return null;
            }

            try
            {
                // A lock let go an instant ago can still be held for a moment by a child that
                // this process is starting: fork copies every descriptor, and only exec closes
                // them. So a busy lock is asked for again for a quarter of a second.
                for (var tries = 1; ; tries++)
                {
                    if (Flock(descriptor, Exclusive | NoWait) == 0)
                    {
                        busy = false;
                        return new DirectoryLock(descriptor);
                    }

                    busy = Marshal.GetLastPInvokeError() == WouldBlock;
                    if (!busy || tries == BusyTries)
                    {
                        break;
                    }

                    Thread.Sleep(BusyPause);
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }

            CloseDescriptor(descriptor);
            return null;
        }

        [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
        private static partial int Flock(int descriptor, int operation);
    }
}
