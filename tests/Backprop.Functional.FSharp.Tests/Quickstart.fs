namespace Backprop.Functional.FSharp.Tests
open Backprop.Functional
open MathNet.Numerics.LinearAlgebra
open Xunit

type Quickstart(output: Abstractions.ITestOutputHelper) =
    let printfn format = Printf.kprintf output.WriteLine format // xunit captures test output
    [<Fact>]
    member _.``README: train XOR`` () =
        let xs = Matrix<float>.Build.DenseOfRowArrays([| 0.; 0.; 1.; 1. |], [| 0.; 1.; 0.; 1. |])
        let ys = Matrix<float>.Build.DenseOfRowArrays([| 0.; 1.; 1.; 0. |])
        let sizes, sigmoid = [| 2; 3; 1 |], Activation.Sigmoid
        let start =
            Network.Initialize<float>(sizes, sigmoid, sigmoid, Initialization.StandardNormal, 42UL)
        let epoch (net: Network<float>) _ =
            let struct (next, _) = net.Step(xs, ys, Loss.Quadratic, 2.0) in next
        let trained = List.fold epoch start [ 1..5000 ]
        printfn "loss after 5000 epochs: %.6f" (trained.Loss(xs, ys, Loss.Quadratic))
        let outputs = trained.Predict(xs).Row(0) |> Seq.map (sprintf "%.3f") |> String.concat " "
        printfn "outputs for (0,0) (0,1) (1,0) (1,1): %s" outputs
