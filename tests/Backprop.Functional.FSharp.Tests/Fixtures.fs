/// Small helpers shared by the tests: building MathNet values from F# literals, bridging
/// LanguageExt types to F# ones, and comparing floats with a stated tolerance.
module Backprop.Functional.FSharp.Tests.Fixtures

open Backprop.Functional
open LanguageExt
open MathNet.Numerics.LinearAlgebra

// LanguageExt's Seq<'a> (capitalised) is a type, not F#'s seq<'a>; opening LanguageExt leaves
// F#'s Seq module as it was.

/// A dense matrix from its rows.
let matrix (rows: float list list) = Matrix<float>.Build.DenseOfArray(array2D rows)

/// A dense vector from its values.
let vector (values: float list) = Vector<float>.Build.Dense(Array.ofList values)

/// XOR as a batch: one sample a column, inputs 2 × 4 and targets 1 × 4.
let xorInputs = matrix [ [ 0.0; 0.0; 1.0; 1.0 ]; [ 0.0; 1.0; 0.0; 1.0 ] ]

let xorTargets = matrix [ [ 0.0; 1.0; 1.0; 0.0 ] ]

/// An F# sequence as a LanguageExt Seq, which the library takes wherever it wants a sequence.
let toLSeq (items: 'a seq) : Seq<'a> = Prelude.toSeq items

/// Fin as an F# pattern: `match Activation.Parse "tanh" with Succ f -> … | Fail e -> …`.
let (|Succ|Fail|) (fin: Fin<'a>) =
    fin.Match(Succ = (fun a -> Choice1Of2 a), Fail = (fun e -> Choice2Of2 e))

/// A computation expression over Fin: each `let!` stops at the first failure.
type FinBuilder() =
    member _.Bind(fin: Fin<'a>, f: 'a -> Fin<'b>) : Fin<'b> = fin.Bind(fun a -> f a)
    member _.Return(a: 'a) : Fin<'a> = Prelude.FinSucc a
    member _.ReturnFrom(fin: Fin<'a>) = fin

let fin = FinBuilder()

/// Fin as an F# Result, the error reduced to its message.
let toResult (fin: Fin<'a>) : Result<'a, string> =
    match fin with
    | Succ a -> Ok a
    | Fail e -> Error e.Message

/// Every parameter of a gradient, layer by layer: ∂W column-major, then ∂b.
let flatten (gradient: Gradient<float>) =
    gradient.Layers
    |> Seq.collect (fun l -> Array.append (l.Weights.ToColumnMajorArray()) (l.Bias.ToArray()))
    |> Array.ofSeq

/// Asserts |expected − actual| ≤ tolerance, naming both on failure.
let assertClose (tolerance: float) (expected: float) (actual: float) =
    if not (abs (expected - actual) <= tolerance) then
        failwithf "expected %.17g ± %g but got %.17g" expected tolerance actual

