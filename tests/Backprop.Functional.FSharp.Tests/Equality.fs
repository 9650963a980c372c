/// Value equality, and LanguageExt's Fin handled the F# way.
module Backprop.Functional.FSharp.Tests.Equality

open Backprop.Functional
open Xunit
open Backprop.Functional.FSharp.Tests.Fixtures

let build seed =
    Network.Initialize<float>(
        [| 2; 4; 3; 1 |], Activation.Tanh, Activation.Sigmoid, Initialization.GlorotNormal, seed)

[<Fact>]
let ``two networks from the same seed are equal with F# =`` () =
    Assert.True(build 11UL = build 11UL)
    Assert.True(build 11UL <> build 12UL)
    Assert.Equal(hash (build 11UL), hash (build 11UL))

[<Fact>]
let ``equal networks count once in List.distinct`` () =
    let nets = [ build 1UL; build 2UL; build 1UL; build 2UL; build 3UL ]
    Assert.Equal(3, nets |> List.distinct |> List.length)

[<Fact>]
let ``an update with learning rate 0.0 gives an equal network`` () =
    let net = build 4UL
    let struct (loss, gradient) = net.LossAndGradient(xorInputs, xorTargets, Loss.Quadratic)

    Assert.True(loss > 0.0)
    Assert.True(gradient.Norm > 0.0)
    Assert.Equal(net, net.Update(gradient, 0.0))
    Assert.NotEqual(net, net.Update(gradient, 0.5))

[<Fact>]
let ``activations and losses are equal by value`` () =
    Assert.Equal(Activation.LeakyReLU 0.2, Activation.LeakyReLU 0.2)
    Assert.NotEqual(Activation.LeakyReLU 0.2, Activation.LeakyReLU 0.3)
    Assert.Equal(Activation.ReLU, Activation.LeakyReLU 0.0)

[<Fact>]
let ``Parse returns a Fin, matched with named Succ and Fail handlers`` () =
    let describe name =
        (Activation.Parse name).Match(
            Succ = (fun activation -> $"ok {activation.Name}"),
            Fail = (fun error -> $"error {error.Message}"))

    Assert.Equal("ok sigmoid", describe "Sigmoid")
    Assert.Equal("ok leaky-relu:0.2", describe "leaky-relu:0.2")
    Assert.StartsWith("error unknown activation 'swish'", describe "swish")

[<Fact>]
let ``Parse results as an F# pattern and as Result`` () =
    let parsed = [ "tanh"; "relu"; "swish"; " SOFTMAX " ] |> List.map Activation.Parse

    let names =
        parsed
        |> List.choose (function
            | Succ activation -> Some activation.Name
            | Fail _ -> None)

    Assert.Equal<string list>([ "tanh"; "relu"; "softmax" ], names)

    match Loss.Parse "bce" |> toResult, Loss.Parse "hinge" |> toResult with
    | Ok loss, Error message ->
        Assert.Equal(Loss.BinaryCrossEntropy, loss)
        Assert.StartsWith("unknown loss 'hinge'", message)
    | other -> failwithf "unexpected %A" other

[<Fact>]
let ``a loss checks its output layer, and says why through a Fin`` () =
    match Loss.SoftmaxCrossEntropy.Accepts Activation.Sigmoid |> toResult with
    | Ok _ -> failwith "softmax-cross-entropy accepted a sigmoid output"
    | Error message -> Assert.Contains("needs a softmax output layer", message)

    Assert.True((Loss.SoftmaxCrossEntropy.Accepts Activation.Softmax).IsSucc)
