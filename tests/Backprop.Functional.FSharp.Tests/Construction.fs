/// Building networks from F#: seeded initialisation and layers written out by hand.
module Backprop.Functional.FSharp.Tests.Construction

open System
open Backprop.Functional
open MathNet.Numerics.LinearAlgebra
open Xunit
open Backprop.Functional.FSharp.Tests.Fixtures

let sigmoid z = 1.0 / (1.0 + exp -z)

[<Fact>]
let ``Initialize takes an F# array of sizes and the activations`` () =
    let net =
        Network.Initialize<float>(
            [| 2; 3; 1 |], Activation.Tanh, Activation.Sigmoid, Initialization.GlorotUniform, 7UL)

    Assert.Equal<int list>([ 2; 3; 1 ], List.ofSeq net.Sizes)
    Assert.Equal(2 * 3 + 3 + 3 * 1 + 1, net.ParameterCount)
    Assert.Equal(Activation.Sigmoid, net.OutputActivation)
    Assert.Equal("Network(2 → 3 → 1; tanh, sigmoid)", string net)

[<Fact>]
let ``Initialize also takes an F# list, and infers the element type from an annotation`` () =
    let net: Network<float> =
        Network.Initialize([ 4; 5; 3 ], Activation.ReLU, Activation.Softmax, Initialization.He, 1UL)

    Assert.Equal<int list>([ 4; 5; 3 ], List.ofSeq net.Sizes)
    Assert.Equal(2, net.Layers.Count)

[<Fact>]
let ``a float32 network is the float64 one rounded`` () =
    let sizes = [| 3; 4; 2 |]
    let scheme = Initialization.StandardNormal
    let wide = Network.Initialize<float>(sizes, Activation.Tanh, Activation.Identity, scheme, 3UL)
    let narrow =
        Network.Initialize<float32>(sizes, Activation.Tanh, Activation.Identity, scheme, 3UL)

    for w64, w32 in Seq.zip wide.Layers narrow.Layers do
        Assert.Equal<float32 array>(
            w64.Weights.ToColumnMajorArray() |> Array.map float32,
            w32.Weights.ToColumnMajorArray())
        Assert.Equal<float32 array>(w64.Bias.ToArray() |> Array.map float32, w32.Bias.ToArray())

[<Fact>]
let ``Initialize rejects fewer than two sizes`` () =
    let build () =
        Network.Initialize<float>(
            [| 3 |], Activation.Sigmoid, Activation.Sigmoid, Initialization.ScaledNormal, 0UL)

    Assert.Throws<ArgumentException>(build >> ignore) |> ignore

/// A 2 → 2 → 1 network with tanh then sigmoid, every weight written out.
let handBuilt () =
    let hidden =
        Layer.Create(
            matrix [ [ 1.0; -1.0 ]; [ 0.5; 2.0 ] ], vector [ 0.0; -1.0 ], Activation.Tanh)
    let output = Layer.Create(matrix [ [ 1.5; -0.5 ] ], vector [ 0.25 ], Activation.Sigmoid)
    Network.Create(hidden, output)

[<Fact>]
let ``a network built by hand from Layer.Create predicts what the formula gives`` () =
    let net = handBuilt ()
    let x1, x2 = 0.3, -0.7
    let h1 = tanh (1.0 * x1 - 1.0 * x2 + 0.0)
    let h2 = tanh (0.5 * x1 + 2.0 * x2 - 1.0)
    let expected = sigmoid (1.5 * h1 - 0.5 * h2 + 0.25)

    let predicted = net.Predict(vector [ x1; x2 ])

    // Vectorised tanh and sigmoid may differ from Math's by an ulp or two.
    Assert.Equal(1, predicted.Count)
    assertClose 1e-14 expected predicted[0]
    Assert.Equal<int list>([ 2; 2; 1 ], List.ofSeq net.Sizes)

[<Fact>]
let ``a batch is a matrix with one sample a column`` () =
    let net = handBuilt ()
    let batch = Matrix<float>.Build.DenseOfColumnArrays([| 0.3; -0.7 |], [| 1.0; 1.0 |])

    let outputs = net.Predict batch

    Assert.Equal(1, outputs.RowCount)
    Assert.Equal(2, outputs.ColumnCount)
    for j in 0 .. 1 do
        let single = net.Predict(batch.Column j)
        // The same sums, but a batch may add them in another order: a few ulps apart at most.
        assertClose 1e-15 single[0] outputs[0, j]

[<Fact>]
let ``Layer.Create copies its matrices, so later writes to them do not reach the layer`` () =
    let w = matrix [ [ 1.0; 2.0 ] ]
    let layer = Layer.Create(w, vector [ 0.0 ], Activation.Identity)

    w[0, 0] <- 100.0

    assertClose 0.0 1.0 layer.Weights[0, 0]

[<Fact>]
let ``TryCreate reports mismatched layers as a failed Fin`` () =
    let twoToTwo =
        Layer.Create(matrix [ [ 1.0; 0.0 ]; [ 0.0; 1.0 ] ], vector [ 0.0; 0.0 ], Activation.Tanh)
    let threeToOne =
        Layer.Create(matrix [ [ 1.0; 1.0; 1.0 ] ], vector [ 0.0 ], Activation.Identity)

    match Network.TryCreate(toLSeq [ twoToTwo; threeToOne ]) with
    | Succ net -> failwithf "expected a failure, got %O" net
    | Fail e -> Assert.Contains("layer 1 has 2 outputs", e.Message)

    match Network.TryCreate(toLSeq [ twoToTwo; twoToTwo ]) with
    | Succ net -> Assert.Equal<int list>([ 2; 2; 2 ], List.ofSeq net.Sizes)
    | Fail e -> failwith e.Message

[<Fact>]
let ``the Try factories compose in a fin computation expression`` () =
    let build (outputBias: float list) =
        fin {
            let! hidden =
                Layer.TryCreate(
                    matrix [ [ 1.0; -1.0 ]; [ 0.5; 2.0 ] ], vector [ 0.0; -1.0 ], Activation.Tanh)
            let! output =
                Layer.TryCreate(matrix [ [ 1.5; -0.5 ] ], vector outputBias, Activation.Sigmoid)
            return! Network.TryCreate(toLSeq [ hidden; output ])
        }

    match build [ 0.25 ] with
    | Succ net -> Assert.Equal(handBuilt (), net)
    | Fail e -> failwith e.Message

    match build [ 0.25; 0.5 ] with
    | Succ net -> failwithf "expected a failure, got %O" net
    | Fail e -> Assert.Contains("the bias has length 2; expected 1", e.Message)

[<Fact>]
let ``Layer.TryCreate rejects a bias of the wrong length and a non-finite weight`` () =
    let tooShort = Layer.TryCreate(matrix [ [ 1.0 ]; [ 2.0 ] ], vector [ 0.0 ], Activation.Tanh)
    let notFinite = Layer.TryCreate(matrix [ [ nan ] ], vector [ 0.0 ], Activation.Tanh)

    let expected = "weights are 2 × 1 (out × in) but the bias has length 1; expected 2"
    Assert.Equal(Error expected, toResult tooShort |> Result.map string)
    Assert.True(notFinite.IsFail)
    Assert.Throws<ArgumentException>(fun () ->
        Layer.Create(matrix [ [ infinity ] ], vector [ 0.0 ], Activation.Tanh) |> ignore)
    |> ignore
