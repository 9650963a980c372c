/// Training as a pipeline: an endless, lazy sequence of epochs, consumed until the loss is small.
namespace Backprop.Functional.FSharp.Tests

open Backprop.Functional
open Xunit
open Xunit.Abstractions
open Backprop.Functional.FSharp.Tests.Fixtures

module Training =
    /// Each epoch's network with its loss on the batch, starting from `start`. Step returns the
    /// loss *before* its update, so every pair is a network and that same network's loss.
    let epochs (inputs, targets) loss (learningRate: float) (start: Network<float>) =
        start
        |> Seq.unfold (fun net ->
            let struct (next, lossBefore) = net.Step(inputs, targets, loss, learningRate)
            Some((net, lossBefore), next))

    /// The first epoch (0-based) whose loss is below `target`, within `budget` epochs.
    let untilLossBelow target budget epochs =
        epochs
        |> Seq.truncate budget
        |> Seq.indexed
        |> Seq.tryFind (fun (_, (_, loss)) -> loss < target)

    /// A 2-3-1 sigmoid network drawn from N(0, 1) with the given seed.
    let xorStart seed =
        let sigmoid = Activation.Sigmoid
        Network.Initialize<float>(
            [| 2; 3; 1 |], sigmoid, sigmoid, Initialization.StandardNormal, seed)

    /// The XOR epochs at learning rate 2 with the quadratic loss.
    let xorEpochs = epochs (xorInputs, xorTargets) Loss.Quadratic 2.0

open Training

type TrainingTests(output: ITestOutputHelper) =
    [<Fact>]
    member _.``XOR is learnt to a quadratic loss below 0.01 within 10 000 epochs`` () =
        let budget = 10_000

        let found =
            xorStart 42UL |> xorEpochs |> untilLossBelow 0.01 budget

        match found with
        | None -> failwithf "the loss did not fall below 0.01 within %d epochs" budget
        | Some(epoch, (net, loss)) ->
            let predictions = net.Predict(xorInputs).Row(0).ToArray()
            output.WriteLine(
                sprintf "XOR: loss %.6f after %d epochs; outputs %A" loss epoch predictions)
            Assert.True(loss < 0.01, sprintf "loss %g" loss)
            assertClose 1e-12 loss (net.Loss(xorInputs, xorTargets, Loss.Quadratic))
            let rounded = predictions |> Array.map (round >> int) |> List.ofArray
            Assert.Equal<int list>([ 0; 1; 1; 0 ], rounded)
            // A quadratic loss below 0.01 bounds every output's error: ½e² ≤ 4·0.01.
            for p, y in Array.zip predictions [| 0.0; 1.0; 1.0; 0.0 |] do
                Assert.True(abs (p - y) < sqrt 0.08, sprintf "output %g for target %g" p y)

    [<Fact>]
    member _.``Seq.scan over a fixed number of epochs gives the same network as a fold`` () =
        let step (net: Network<float>) _ =
            let struct (next, _) = net.Step(xorInputs, xorTargets, Loss.Quadratic, 2.0)
            next

        let viaScan = [ 1..200 ] |> Seq.scan step (xorStart 1UL) |> Seq.last
        let viaFold = [ 1..200 ] |> List.fold step (xorStart 1UL)
        let viaUnfold = xorStart 1UL |> xorEpochs |> Seq.item 200 |> fst

        Assert.Equal(viaFold, viaScan)
        Assert.Equal(viaFold, viaUnfold)

    [<Fact>]
    member _.``training leaves the starting network as it was`` () =
        let start = xorStart 5UL
        let copy = xorStart 5UL

        let trained = start |> xorEpochs |> Seq.item 50 |> fst

        Assert.Equal(copy, start)
        Assert.NotEqual(start, trained)

    [<Fact>]
    member _.``an F# lambda is idle work whose pieces all run by Finish`` () =
        let squares = Array.zeroCreate<int> 100
        let work = IdleWork.Start(squares.Length, fun i -> squares[i] <- i * i)

        work.Finish()

        Assert.Equal<int[]>(Array.init 100 (fun i -> i * i), squares)

    [<Fact>]
    member _.``the epochs of RunByEpoch are the epoch ends of Run, as a pipeline`` () =
        // Batches of one: two of each epoch's four steps write over the weights in place.
        let options = TrainingOptions(Optimizer.Sgd(2.0), Loss.Quadratic, 1, 7UL)
        let data = TrainingData.FromColumns(xorInputs, xorTargets)

        let byEpoch =
            Backprop.Functional.Training.RunByEpoch(xorStart 3UL, data, options)
            |> Seq.collect (fun report -> report.State)
            |> Seq.truncate 25
            |> Seq.toList

        let run =
            Backprop.Functional.Training.Run(xorStart 3UL, data, options)
            |> Seq.filter (fun step -> step.EndsEpoch)
            |> Seq.truncate 25
            |> Seq.toList

        Assert.Equal(25, byEpoch.Length)
        Assert.Equal<int list>(List.map (fun (s: TrainingStep<float>) -> s.Epoch) run,
                               List.map (fun (s: TrainingStep<float>) -> s.Epoch) byEpoch)
        Assert.Equal<Network<float> list>(List.map (fun (s: TrainingStep<float>) -> s.Network) run,
                                          List.map (fun (s: TrainingStep<float>) -> s.Network) byEpoch)
