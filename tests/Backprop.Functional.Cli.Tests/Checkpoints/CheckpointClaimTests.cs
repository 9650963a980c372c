using System;
using System.IO;
using System.Linq;
using Backprop.Functional.Cli.Checkpoints;
using Backprop.Functional.Cli.Running;
using Backprop.Functional.Cli.Tests.Commands;
using Backprop.Functional.Cli.Tests.Data;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>
/// A run holds its --checkpoint directory with a lock the kernel keeps for it: of two runs
/// that save to one directory at the same time, one trains and the other is refused before it
/// starts, writing nothing; and a run killed outright leaves the directory free for the next.
/// </summary>
public sealed class CheckpointClaimTests
{
    [LinuxFact]
    public void A_directory_another_run_holds_is_refused_before_anything_is_written()
    {
        // Given a checkpoint directory, locked as a run that saves there locks it
        using var dir = new Commands.TempDirectory();
        var data = TinyData.Write(dir.File("data"));
        string[] train = ["train", "--data", data, "--hidden", "4", "--batch-size", "10"];
        var run = dir.File("run");
        var checkpoint = Path.Combine(run, "checkpoint.json");
        Commands.Cli.Run([.. train, "--epochs", "1", "--checkpoint", run,
            "--out", dir.File("first.json")]).AssertSucceeded();
        var before = File.ReadAllBytes(checkpoint);
        var held = CheckpointClaim.DirectoryLock.Take(run, out var busy);
        Assert.NotNull(held);
        Assert.False(busy);

        // When a fresh run and a resume of its checkpoint would save there, and a resume
        // only reads it
        CliResult fresh, resumed, reader;
        using (held)
        {
            fresh = Commands.Cli.Run([.. train, "--epochs", "1", "--checkpoint", run,
                "--out", dir.File("a.json"), "--json"]);
            resumed = Commands.Cli.Run([.. train, "--epochs", "2", "--checkpoint", run,
                "--resume", checkpoint, "--out", dir.File("b.json"), "--json"]);
            reader = Commands.Cli.Run([.. train, "--epochs", "2", "--resume", checkpoint,
                "--out", dir.File("c.json")]);
        }

        // Then the two that would save are refused with one line each and write nothing; the
        // one that reads goes on
        var expected = $"error: --checkpoint {run} is held by another run, which saves its "
            + "checkpoint there; wait for that run to end, or choose another directory";
        Assert.Equal(expected, fresh.AssertOneErrorLine(2));
        Assert.Equal(expected, resumed.AssertOneErrorLine(2));
        Assert.Equal(string.Empty, fresh.Out + resumed.Out);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
        Assert.Equal(["checkpoint.json"], Directory.GetFiles(run).Select(Path.GetFileName));
        Assert.False(File.Exists(dir.File("a.json")) || File.Exists(dir.File("b.json")));
        reader.AssertSucceeded();

        // And once the lock is let go, the resume that saves there goes on
        Commands.Cli.Run([.. train, "--epochs", "2", "--checkpoint", run, "--resume", checkpoint,
            "--out", dir.File("b.json")]).AssertSucceeded();
    }

    [LinuxFact]
    public void A_lock_let_go_a_moment_later_is_taken_rather_than_refused()
    {
        // Given a directory whose lock is held, as a child this process is starting holds a
        // copy of a lock let go an instant before, until its exec closes it
        using var dir = new Commands.TempDirectory();
        var run = dir.File("run");
        Directory.CreateDirectory(run);
        var held = CheckpointClaim.DirectoryLock.Take(run, out _);
        Assert.NotNull(held);
        using var release = new System.Threading.Timer(_ => held.Dispose(), null, 50, -1);

        // When a run asks for it
        using var taken = CheckpointClaim.DirectoryLock.Take(run, out var busy);

        // Then it has it, not a refusal, once the other lets go 50 ms on
        Assert.NotNull(taken);
        Assert.False(busy);
    }

    [LinuxFact]
    public void Of_two_runs_started_together_on_a_fresh_directory_one_trains_and_one_is_refused()
    {
        // Given two runs of different networks, started at once with the same new directory
        using var dir = new Commands.TempDirectory();
        const string Both =
            "( \"$@\" --hidden 8 --seed 1 --out a.json >a.out 2>a.err; echo $? >a.code ) & "
            + "( \"$@\" --hidden 16 --seed 2 --out b.json >b.out 2>b.err; echo $? >b.code ) & "
            + "wait";

        // When both have ended
        BuiltCommand.Run(Both, dir.Path, "train", "--epochs", "2", "--checkpoint", "run")
            .AssertSucceeded();

        // Then one trained and saved its model and checkpoint; the other was refused, with
        // one line, before it wrote anything: held by the first, or, when it came to the
        // directory after the first had ended, by the checkpoint the first left
        var runs = new[] { ("a", "784 → 8 → 10"), ("b", "784 → 16 → 10") }
            .Select(r => (
                Name: r.Item1,
                Sizes: r.Item2,
                Result: new CliResult(
                    int.Parse(File.ReadAllText(dir.File($"{r.Item1}.code"))),
                    File.ReadAllText(dir.File($"{r.Item1}.out")),
                    File.ReadAllText(dir.File($"{r.Item1}.err")))))
            .ToArray();
        var winner = Assert.Single(runs, r => r.Result.ExitCode == 0);
        var loser = Assert.Single(runs, r => r.Result.ExitCode != 0);
        Assert.Contains(
            loser.Result.AssertOneErrorLine(2),
            new[]
            {
                "error: --checkpoint run is held by another run, which saves its checkpoint "
                    + "there; wait for that run to end, or choose another directory",
                "error: --checkpoint run already holds a checkpoint, run/checkpoint.json, which "
                    + "this run would replace; resume it with --resume run/checkpoint.json, or "
                    + "choose another directory",
            });
        Assert.Equal(string.Empty, loser.Result.Out);
        Assert.False(File.Exists(dir.File($"{loser.Name}.json")));
        Assert.True(File.Exists(dir.File($"{winner.Name}.json")));
        var header = FinAssert.Succeeds(
            CheckpointFile.ReadHeader(dir.File("run/checkpoint.json")));
        Assert.Equal(winner.Sizes, header.Settings.Single(s => s.Key == "sizes").Value);
        Assert.Equal(
            ["checkpoint.json"], Directory.GetFiles(dir.File("run")).Select(Path.GetFileName));
    }

    [LinuxFact]
    public void A_run_killed_outright_leaves_its_directory_to_the_run_that_resumes_it()
    {
        // Given a long run that has saved its first checkpoint; a resume of it while it runs;
        // then the run killed with SIGKILL, which gives it no chance to let anything go
        using var dir = new Commands.TempDirectory();
        const string Script =
            "\"$@\" --epochs 100000 --out a.json >/dev/null 2>&1 & pid=$!; i=0; "
            + "while [ ! -f run/checkpoint.json ] && [ $i -lt 1200 ]; do "
            + "sleep 0.05; i=$((i + 1)); done; "
            + "\"$@\" --epochs 100000 --resume run/checkpoint.json --out b.json "
            + ">held.out 2>held.err; echo $? >held.code; "
            + "kill -9 $pid; wait $pid; "
            + "e=$(sed -n 's/^  \"epoch\": \\([0-9]*\\),$/\\1/p' run/checkpoint.json); "
            + "exec \"$@\" --epochs $((e + 1)) --resume run/checkpoint.json --out b.json";

        // When the checkpoint is resumed once more after the kill
        var result = BuiltCommand.Run(
            Script, dir.Path, "train", "--hidden", "8", "--checkpoint", "run");

        // Then the resume during the run was refused, and the one after it trains on
        Assert.Equal(
            "error: --checkpoint run is held by another run, which saves its checkpoint "
            + "there; wait for that run to end, or choose another directory",
            new CliResult(
                int.Parse(File.ReadAllText(dir.File("held.code"))),
                File.ReadAllText(dir.File("held.out")),
                File.ReadAllText(dir.File("held.err"))).AssertOneErrorLine(2));
        result.AssertSucceeded();
        const string Resuming = "resuming from run/checkpoint.json: epoch ";
        Assert.Single(result.OutLines, l => l.StartsWith(Resuming, StringComparison.Ordinal));
        Assert.True(File.Exists(dir.File("b.json")));
        Assert.False(File.Exists(dir.File("a.json")));
    }
}
