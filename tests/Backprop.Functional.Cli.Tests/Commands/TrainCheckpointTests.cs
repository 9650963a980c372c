using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// --checkpoint saves the run after every epoch; --resume continues it exactly as the run
/// would have gone on, or refuses with one line when the settings contradict the checkpoint.
/// </summary>
public sealed class TrainCheckpointTests
{
    // How a resume's error line calls a --decay-every that the run did not give.
    private const string DefaultDecayEvery =
        "--decay-every (not given: a third of --epochs, rounded up)";

    // Everything that carries state from step to step: Adam's two buffers, decoupled decay, an
    // L2 penalty, clipping, dropout masks, a schedule with warm-up, and a validation split.
    private static readonly string[] Busy =
    [
        "--hidden", "8", "--optimizer", "adamw", "--weight-decay", "0.001", "--l2", "0.0001",
        "--clip-norm", "5", "--dropout", "0.2", "--schedule", "exponential",
        "--decay-every", "1", "--decay-factor", "0.5", "--warmup", "30", "--validation", "500",
    ];

    [Fact]
    public void Three_epochs_equal_one_epoch_and_a_resume_for_two_more_byte_for_byte()
    {
        // Given an uninterrupted run of 3 epochs
        using var dir = new TempDirectory();
        var whole = Cli.Run(
            ["train", "--epochs", "3", .. Busy, "--out", dir.File("whole.json"), "--json"]);
        whole.AssertSucceeded();

        // When a run of 1 epoch saves a checkpoint and a second run resumes it up to 3
        var first = Cli.Run(
            [
                "train", "--epochs", "1", .. Busy, "--checkpoint", dir.File("run"),
                "--out", dir.File("part.json"),
            ]);
        first.AssertSucceeded();
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        var resumed = Cli.Run(
            [
                "train", "--epochs", "3", .. Busy, "--resume", checkpoint,
                "--out", dir.File("resumed.json"), "--json",
            ]);

        // Then the two final models are the same bytes, and the reports the same figures
        resumed.AssertSucceeded();
        Assert.Equal(
            File.ReadAllBytes(dir.File("whole.json")),
            File.ReadAllBytes(dir.File("resumed.json")));
        Assert.Contains(
            $"resuming from {checkpoint}: epoch 1 of 3 done (step 172)", resumed.ErrorLines);
        Assert.Equal(
            ["epoch 2/3", "epoch 3/3"],
            resumed.ErrorLines.Where(l => l.StartsWith("epoch ")).Select(l => l[..9]));
        string[] figures = ["trainingLoss", "learningRate", "validationLoss", "testLoss"];
        var a = whole.Json().At("epochs").EnumerateArray().ToArray();
        var b = resumed.Json().At("epochs").EnumerateArray().ToArray();
        Assert.Equal(3, b.Length);
        foreach (var name in figures)
        {
            Assert.Equal(a.Select(e => e.Number(name)), b.Select(e => e.Number(name)));
        }

        Assert.Equal(checkpoint, resumed.Json().Text("resumedFrom"));
    }

    [Fact]
    public void A_checkpoint_directory_replaced_by_a_file_during_the_run_is_named()
    {
        // The run makes "run" before its first epoch (of about a second in float64 with 512
        // hidden units); meanwhile it is replaced by a file. The save after the epoch fails
        // with a line naming both, not the runtime's "The file … already exists".
        using var dir = new TempDirectory();
        var run = dir.File("run");
        // A thread of its own: the pool's may start too late while other tests run.
        // (An exception on it would end the test process, so it is kept for the assertion.)
        Exception? failed = null;
        var replacer = new System.Threading.Thread(() =>
        {
            try
            {
                Assert.True(
                    System.Threading.SpinWait.SpinUntil(() => Directory.Exists(run), 60_000));
                Directory.Delete(run);
                File.WriteAllText(run, "a file");
            }
            catch (Exception e)
            {
                failed = e;
            }
        });
        replacer.Start();

        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "512", "--precision", "float64",
            "--checkpoint", run, "--out", dir.File("m.json"));

        replacer.Join();
        Assert.Null(failed);
        Assert.Equal(
            $"error: cannot save {Path.Combine(run, "checkpoint.json")}: {run} is a file now, "
            + "where the run made its checkpoint directory",
            result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void A_fresh_run_does_not_replace_another_run_s_checkpoint()
    {
        // Re-running a command after an interruption without --resume used to replace the
        // interrupted run's checkpoint after its first epoch.
        using var dir = new TempDirectory();
        var run = dir.File("run");
        Cli.Run("train", "--epochs", "1", "--hidden", "4", "--checkpoint", run, "--out",
            dir.File("a.json")).AssertSucceeded();
        var kept = Path.Combine(run, "checkpoint.json");
        var before = File.ReadAllBytes(kept);

        var again = Cli.Run("train", "--epochs", "1", "--hidden", "4", "--checkpoint", run,
            "--out", dir.File("b.json"));

        Assert.Equal(
            $"error: --checkpoint {run} already holds a checkpoint, {kept}, which this run would "
            + $"replace; resume it with --resume {kept}, or choose another directory",
            again.AssertOneErrorLine(2));
        Assert.Equal(before, File.ReadAllBytes(kept));
        Assert.False(File.Exists(dir.File("b.json")));
    }

    [Fact]
    public void A_checkpoint_directory_to_be_made_may_end_in_a_separator()
    {
        using var dir = new TempDirectory();

        var made = Cli.Run("train", "--epochs", "1", "--hidden", "4", "--checkpoint",
            dir.File("run") + "/", "--out", dir.File("m.json"));
        var missing = Cli.Run("train", "--epochs", "1", "--checkpoint",
            dir.File("no/run") + "/", "--out", dir.File("n.json"));

        made.AssertSucceeded();
        Assert.True(File.Exists(Path.Combine(dir.File("run"), "checkpoint.json")));
        Assert.Equal(
            $"error: --checkpoint names a directory inside one that does not exist, got "
            + $"'{dir.Path}/no/run/'",
            missing.AssertOneErrorLine(2));
    }

    [Fact]
    public void A_checkpoint_is_one_file_replaced_after_every_epoch_and_holds_a_model()
    {
        using var dir = new TempDirectory();
        var run = dir.File("run");

        var result = Cli.Run(
            "train", "--epochs", "2", "--hidden", "8", "--optimizer", "momentum",
            "--checkpoint", run, "--out", dir.File("m.json"), "--json");

        result.AssertSucceeded();
        var checkpoint = Path.Combine(run, "checkpoint.json");
        Assert.Equal(["checkpoint.json"], Directory.GetFiles(run).Select(Path.GetFileName));
        Assert.Equal(checkpoint, result.Json().Text("checkpoint"));
        Assert.EndsWith($"; checkpoint: {checkpoint}", result.ErrorLines[4]);
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(checkpoint));
        var root = document.RootElement;
        Assert.Equal("backprop-functional-checkpoint", root.Text("format"));
        Assert.Equal(2, root.At("epoch").GetInt32());
        Assert.Equal(376, root.At("step").GetInt64());
        Assert.Equal("momentum", root.Text("settings.optimizer"));
        var buffer = root.At("optimizer.buffers").EnumerateArray().Single();
        Assert.Equal("velocity", buffer.Text("name"));
        Assert.Equal(2, root.At("history").GetArrayLength());

        // The "model" inside is a model file: the same bytes as the one saved, re-indented.
        var model = File.ReadAllText(dir.File("m.json")).TrimEnd('\n').Replace("\n", "\n  ");
        Assert.Contains($"\"model\": {model},\n", File.ReadAllText(checkpoint));
    }

    [Fact]
    public void Early_stopping_resumes_with_its_best_network_and_stops_where_it_would_have()
    {
        // Given the run that stops early, and where it stopped
        using var dir = new TempDirectory();
        string[] run =
        [
            "train", "--hidden", "8", "--optimizer", "adam", "--learning-rate", "0.02",
            "--validation", "500", "--early-stop", "2",
        ];
        var whole = Cli.Run([.. run, "--epochs", "12", "--out", dir.File("whole.json"), "--json"]);
        whole.AssertSucceeded();
        var stopped = whole.Json().At("earlyStop.stoppedEpoch").GetInt32();
        var best = whole.Json().At("earlyStop.bestEpoch").GetInt32();

        // When a run ends one epoch short of it, after a worse epoch, and is resumed
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        Cli.Run([.. run, "--epochs", $"{stopped - 1}", "--checkpoint", dir.File("run"),
            "--out", dir.File("short.json")]).AssertSucceeded();
        var resumed = Cli.Run([.. run, "--epochs", "12", "--resume", checkpoint,
            "--checkpoint", dir.File("run"), "--out", dir.File("resumed.json"), "--json"]);

        // Then it stops at the same epoch and saves the same best network
        resumed.AssertSucceeded();
        Assert.Equal(stopped, resumed.Json().At("earlyStop.stoppedEpoch").GetInt32());
        Assert.Equal(best, resumed.Json().At("earlyStop.bestEpoch").GetInt32());
        Assert.Equal(
            File.ReadAllBytes(dir.File("whole.json")),
            File.ReadAllBytes(dir.File("resumed.json")));

        // And a run that has stopped early, resumed, trains nothing and writes its best
        // network again (as when its own save of the model failed)
        var again = Cli.Run([.. run, "--epochs", "12", "--resume", checkpoint,
            "--out", dir.File("again.json"), "--json"]);
        again.AssertSucceeded();
        Assert.Equal(stopped, again.Json().At("earlyStop.stoppedEpoch").GetInt32());
        Assert.Equal(best, again.Json().At("earlyStop.bestEpoch").GetInt32());
        Assert.Equal(
            File.ReadAllBytes(dir.File("whole.json")), File.ReadAllBytes(dir.File("again.json")));
        var text = Cli.Run([.. run, "--epochs", "12", "--resume", checkpoint,
            "--out", dir.File("again.json")]);
        text.AssertSucceeded();
        Assert.Single(text.OutLines, l => l.StartsWith("epoch ", StringComparison.Ordinal)
            || l.StartsWith("early stop", StringComparison.Ordinal));
        Assert.Matches(
            $"^early stop after epoch {stopped}: the validation loss has not improved for 2 "
            + $@"epochs; the best was epoch {best} \(\d\.\d+\), in the checkpoint: nothing left "
            + "to train; the best network is written$",
            text.OutLines.Single(l => l.StartsWith("early stop", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("--hidden|16", "--hidden (the network)", "784 → 16 → 10", "784 → 8 → 10")]
    [InlineData("--batch-size|64", "--batch-size", "64", "32")]
    [InlineData("--optimizer|adam", "--optimizer", "adam", "sgd")]
    [InlineData("--learning-rate|0.05", "--learning-rate", "0.05", "0.1")]
    [InlineData("--seed|2", "--seed", "2", "1")]
    [InlineData("--dropout|0.1", "--dropout", "0.1", "0")]
    [InlineData("--validation|100", "--validation", "100", "0")]
    [InlineData("--precision|float64", "--precision", "float64", "float32")]
    [InlineData("--schedule|cosine", "--schedule", "cosine", "constant")]
    public void Resuming_with_settings_that_contradict_the_checkpoint_fails_with_one_line(
        string change, string setting, string given, string saved)
    {
        // Given a checkpoint of a plain run
        using var dir = new TempDirectory();
        var checkpoint = Checkpoint(dir, "--hidden", "8");

        // When the resumed run differs in one setting (each option given once)
        string[] network = change.StartsWith("--hidden|", StringComparison.Ordinal)
            ? []
            : ["--hidden", "8"];
        var result = Cli.Run(
            [
                "train", "--epochs", "3", .. network, "--resume", checkpoint,
                "--out", dir.File("m.json"), .. change.Split('|'),
            ]);

        // Then it names that setting and writes nothing
        var line = result.AssertOneErrorLine(2);
        Assert.Equal(
            $"error: --resume {checkpoint}: {setting} gives {given} but the checkpoint's run "
            + $"has {saved}",
            line);
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void Resuming_on_data_of_another_size_fails_naming_the_data()
    {
        using var dir = new TempDirectory();
        var small = TinyData.Write(dir.File("small"), trainPerClass: 50);
        var large = TinyData.Write(dir.File("large"), trainPerClass: 60);
        var checkpoint = Checkpoint(dir, "--data", small, "--hidden", "4");

        var result = Cli.Run(
            "train", "--data", large, "--hidden", "4", "--epochs", "3", "--resume", checkpoint,
            "--out", dir.File("m.json"));

        var line = result.AssertOneErrorLine(2);
        Assert.Equal(
            $"error: --resume {checkpoint}: --data (its training images) gives 120 but the "
            + "checkpoint's run has 100",
            line);
    }

    [Fact]
    public void A_schedule_that_follows_the_epochs_cannot_be_stretched_on_resume()
    {
        using var dir = new TempDirectory();
        var checkpoint = Checkpoint(dir, "--hidden", "8", "--schedule", "cosine");

        var result = Cli.Run(
            "train", "--hidden", "8", "--schedule", "cosine", "--epochs", "3",
            "--resume", checkpoint, "--out", dir.File("m.json"));

        var line = result.AssertOneErrorLine(2);
        Assert.Equal(
            $"error: --resume {checkpoint}: the optimizer chain (the schedule follows --epochs) "
            + "gives sgd, η = cosine(0.1 → 0 over 564) but the checkpoint's run has sgd, "
            + "η = cosine(0.1 → 0 over 188)",
            line);
    }

    [Theory]
    [InlineData("step", "2147483646", "715827882")]
    [InlineData("exponential", "2147483646", "715827882")]
    [InlineData("step", "2147483647", "715827883")]
    [InlineData("exponential", "2147483647", "715827883")]
    public void The_default_decay_period_of_the_largest_epochs_is_a_third_without_overflow(
        string schedule, string epochs, string third)
    {
        // Given a one-epoch run, whose default --decay-every is 1
        using var dir = new TempDirectory();
        var checkpoint = Checkpoint(dir, "--hidden", "8", "--schedule", schedule);

        // When it is resumed for the most epochs there are, which builds the schedule
        var result = Cli.Run(
            "train", "--hidden", "8", "--schedule", schedule, "--epochs", epochs,
            "--resume", checkpoint, "--out", dir.File("m.json"));

        // Then a third of them, rounded up, is the decay period, not an overflow
        Assert.Equal(
            $"error: --resume {checkpoint}: {DefaultDecayEvery} gives {third} but the "
            + "checkpoint's run has 1",
            result.AssertOneErrorLine(2));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("step", "--decay-every|2", "--decay-every|3", "--decay-every", "2")]
    [InlineData("exponential", "--decay-every|2", "--decay-every|3", "--decay-every", "2")]
    [InlineData("step", "--decay-every|2", "", DefaultDecayEvery, "2")]
    [InlineData("step", "", "--decay-every|3", "--decay-every", "1")]
    [InlineData("exponential", "", "", DefaultDecayEvery, "1")]
    public void The_decay_period_on_resume_is_called_a_default_only_when_it_is_one(
        string schedule, string saved, string given, string label, string savedPeriod)
    {
        // Given a one-epoch run that decays every 2 epochs, or every 1 by default (a third of
        // its one epoch, rounded up)
        using var dir = new TempDirectory();
        string[] first = saved.Length == 0 ? [] : saved.Split('|');
        var checkpoint = Checkpoint(dir, ["--hidden", "8", "--schedule", schedule, .. first]);

        // When it is resumed for 9 epochs, with --decay-every 3 or with the default, a third
        string[] again = given.Length == 0 ? [] : given.Split('|');
        var result = Cli.Run(
            [
                "train", "--hidden", "8", "--schedule", schedule, "--epochs", "9", .. again,
                "--resume", checkpoint, "--out", dir.File("m.json"),
            ]);

        // Then the line calls the 3 a default only when it is one
        Assert.Equal(
            $"error: --resume {checkpoint}: {label} gives 3 but the checkpoint's run has "
            + savedPeriod,
            result.AssertOneErrorLine(2));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("--dropout", "0", "-0")]
    [InlineData("--dropout", "-0", "0")]
    [InlineData("--l2", "-0", "0")]
    public void Minus_zero_is_the_same_setting_as_zero_on_resume(
        string option, string saved, string given)
    {
        // Each run reaches the same value; "-0" was recorded as such and refused on resume.
        using var dir = new TempDirectory();
        var checkpoint = Checkpoint(dir, "--hidden", "8", option, saved);

        var result = Cli.Run(
            "train", "--hidden", "8", option, given, "--epochs", "2", "--resume", checkpoint,
            "--out", dir.File("m.json"));

        result.AssertSucceeded();
        Assert.True(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("--hidden|8|--epochs|2")]
    [InlineData("--hidden|8|--epochs|3|--validation|500|--early-stop|5|--precision|float64")]
    [InlineData("--hidden|8|--epochs|2|--optimizer|adam|--schedule|cosine|--dropout|0.2")]
    public void Resuming_at_the_last_epoch_writes_the_model_and_plot_a_straight_run_writes(
        string options)
    {
        // Given a straight run, which saved a checkpoint after its last epoch too (as it does
        // when it then fails to write its model)
        using var dir = new TempDirectory();
        var args = options.Split('|');
        var straight = Cli.Run(
            [
                "train", .. args, "--checkpoint", dir.File("run"), "--out", dir.File("a.json"),
                "--plot", dir.File("a.png"),
            ]);
        straight.AssertSucceeded();
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");
        var saved = File.ReadAllBytes(checkpoint);

        // When that checkpoint is resumed with the same --epochs
        var result = Cli.Run(
            [
                "train", .. args, "--resume", checkpoint, "--out", dir.File("b.json"),
                "--plot", dir.File("b.png"),
            ]);

        // Then nothing is trained, one line says so, and the files are the straight run's
        result.AssertSucceeded();
        var epochs = args[Array.IndexOf(args, "--epochs") + 1];
        Assert.Contains(
            $"epoch {epochs}/{epochs} was done in the checkpoint: nothing left to train; its "
                + "network is written",
            result.OutLines);
        Assert.Single(result.OutLines, l => l.StartsWith("epoch ", StringComparison.Ordinal));
        Assert.Equal(
            File.ReadAllBytes(dir.File("a.json")), File.ReadAllBytes(dir.File("b.json")));
        Assert.Equal(File.ReadAllBytes(dir.File("a.png")), File.ReadAllBytes(dir.File("b.png")));
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void Resuming_at_the_last_epoch_reports_the_straight_run_s_json()
    {
        // Given a finished run's checkpoint and its JSON report
        using var dir = new TempDirectory();
        string[] args = ["train", "--hidden", "8", "--epochs", "2", "--json"];
        var straight = Cli.Run(
            [.. args, "--checkpoint", dir.File("run"), "--out", dir.File("m.json")]);
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");

        // When it is resumed at its last epoch
        var result = Cli.Run([.. args, "--resume", checkpoint, "--out", dir.File("m.json")]);

        // Then the report is the same, but for where the run came from
        result.AssertSucceeded();
        foreach (var part in new[] { "settings", "epochs", "earlyStop", "final" })
        {
            Assert.Equal(
                straight.Json().At(part).GetRawText(), result.Json().At(part).GetRawText());
        }

        Assert.Equal(checkpoint, result.Json().Text("resumedFrom"));
    }

    // Under a schedule that follows --epochs, the chain (cosine) or the default decay period
    // (step and exponential: 2 epochs of 4, 1 of 1) differs too; the epochs are named first, as
    // the fix.
    [Theory]
    [InlineData("constant")]
    [InlineData("cosine")]
    [InlineData("step")]
    [InlineData("exponential")]
    public void Resuming_with_fewer_epochs_than_the_checkpoint_has_done_is_refused(
        string schedule)
    {
        using var dir = new TempDirectory();
        Cli.Run(
            "train", "--hidden", "8", "--schedule", schedule, "--epochs", "4",
            "--checkpoint", dir.File("run"), "--out", dir.File("first.json")).AssertSucceeded();
        File.Delete(dir.File("first.json"));
        var checkpoint = Path.Combine(dir.File("run"), "checkpoint.json");

        var result = Cli.Run(
            "train", "--hidden", "8", "--schedule", schedule, "--epochs", "1",
            "--resume", checkpoint, "--out", dir.File("m.json"));

        Assert.Equal(
            $"error: --resume {checkpoint}: the checkpoint is at the end of epoch 4 and --epochs "
            + "is 1; give --epochs 4 to write its model, or more to train on",
            result.AssertOneErrorLine(2));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("", "the file is empty; expected a JSON checkpoint")]
    [InlineData(
        "{\"format\": \"backprop-functional-model\"}",
        "format is 'backprop-functional-model'; expected 'backprop-functional-checkpoint'")]
    [InlineData(
        "{\"format\": \"backprop-functional-checkpoint\", \"version\": 2}",
        "version 2 is not supported; expected 1")]
    public void A_file_that_is_not_a_checkpoint_fails_with_code_1(string content, string expected)
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.json");
        File.WriteAllText(path, content);

        var result = Cli.Run(
            "train", "--hidden", "8", "--epochs", "2", "--resume", path,
            "--out", dir.File("m.json"));

        Assert.Equal($"error: {path}: {expected}", result.AssertOneErrorLine(1));
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void A_truncated_checkpoint_fails_with_code_1_and_says_so()
    {
        using var dir = new TempDirectory();
        var checkpoint = Checkpoint(dir, "--hidden", "8");
        var bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);

        var result = Cli.Run(
            "train", "--hidden", "8", "--epochs", "2", "--resume", checkpoint,
            "--out", dir.File("m.json"));

        var line = result.AssertOneErrorLine(1);
        Assert.Contains("the JSON ends early", line, StringComparison.Ordinal);
    }

    // The checkpoint of a one-epoch run on the embedded sample (or --data) with these options.
    private static string Checkpoint(TempDirectory dir, params string[] options)
    {
        Cli.Run(
            [
                "train", "--epochs", "1", .. options, "--checkpoint", dir.File("run"),
                "--out", dir.File("first.json"),
            ]).AssertSucceeded();
        File.Delete(dir.File("first.json"));
        return Path.Combine(dir.File("run"), "checkpoint.json");
    }
}
