/// Properties of the gradient, checked with FsCheck on small random networks.
namespace Backprop.Functional.FSharp.Tests

open Xunit
open Xunit.Abstractions
open Backprop.Functional
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open MathNet.Numerics.LinearAlgebra
open Backprop.Functional.FSharp.Tests.Fixtures

/// A small smooth network, the loss to check it with and a batch: everything a generated seed
/// and generated sizes determine.
type Case =
    { Sizes: int list
      Hidden: Activation
      Output: Activation
      Loss: Loss
      Seed: uint64
      Inputs: Matrix<float>
      Targets: Matrix<float> }

    member c.Network =
        Network.Initialize<float>(
            Array.ofList c.Sizes, c.Hidden, c.Output, Initialization.StandardNormal, c.Seed)

    override c.ToString() =
        sprintf "%A %O/%O %O seed %d, batch of %d" c.Sizes c.Hidden c.Output c.Loss c.Seed
            c.Inputs.ColumnCount

module Cases =
    /// n values in [lo, hi], on a grid of 1/1000 so that they print exactly.
    let values n (lo: float) (hi: float) =
        Gen.choose (int (lo * 1000.0), int (hi * 1000.0))
        |> Gen.map (fun i -> float i / 1000.0)
        |> Gen.arrayOfLength n

    let batch rows columns lo hi =
        values (rows * columns) lo hi
        |> Gen.map (fun xs -> Matrix<float>.Build.Dense(rows, columns, xs))

    /// Two to four sizes from 1 to 4, sigmoid or tanh hidden layers, an output layer from
    /// `outputs` with a loss that fits it, and a batch of one to five samples whose targets lie
    /// in the output's range ([0, 1] after a sigmoid, [−1, 1] otherwise).
    let smoothWith outputs =
        gen {
            let! depth = Gen.choose (1, 3)
            let! sizes = Gen.choose (1, 4) |> Gen.listOfLength (depth + 1)
            let! hidden = Gen.elements [ Activation.Sigmoid; Activation.Tanh ]
            let! output = Gen.elements outputs
            let! loss =
                if output = Activation.Sigmoid then
                    Gen.elements [ Loss.Quadratic; Loss.BinaryCrossEntropy ]
                else
                    Gen.constant Loss.Quadratic
            let! seed = Gen.choose (0, System.Int32.MaxValue) |> Gen.map uint64
            let! m = Gen.choose (1, 5)
            let! inputs = batch (List.head sizes) m -2.0 2.0
            let low = if output = Activation.Sigmoid then 0.0 else -1.0
            let! targets = batch (List.last sizes) m low 1.0
            return
                { Sizes = sizes
                  Hidden = hidden
                  Output = output
                  Loss = loss
                  Seed = seed
                  Inputs = inputs
                  Targets = targets }
        }

    /// Networks of sigmoid and tanh layers only.
    let sigmoidTanh = smoothWith [ Activation.Sigmoid; Activation.Tanh ]

    /// The finite-difference steps (relative to max(1, |θ|)) a parameter is checked at: the
    /// default 1e-3, and three times either side.
    let steps = [ 1e-3; 3e-3; 3e-4 ]

    /// One gradient-check report per step, the default step's first.
    let reports (c: Case) =
        let net = c.Network
        steps
        |> List.map (fun h ->
            GradientCheck.Run(
                net, c.Inputs, c.Targets, c.Loss, GradientCheckOptions(RelativeStep = h)))

    /// For every parameter, its smallest relative error over the steps; NaN stays NaN.
    let bestRelativeErrors (reports: GradientCheckReport list) =
        let smaller a b = if System.Double.IsNaN a || System.Double.IsNaN b then nan else min a b
        reports
        |> List.map (fun r -> r.Counted |> Seq.map (fun p -> p.RelativeError) |> Array.ofSeq)
        |> List.reduce (Array.map2 smaller)

    /// The worst relative error at the default step, and the worst over parameters of each
    /// parameter's best step.
    let worstErrors (c: Case) =
        let all = reports c
        (List.head all).WorstRelativeError, bestRelativeErrors all |> Array.max

open Cases

/// The fourth-order stencil with the default step resolves a derivative to about 1e-12 in
/// absolute terms, which is what the relative error's floor of 1e-6 asks for when a derivative
/// is tiny. Where the loss bends sharply (a saturated tanh fed large inputs) its truncation error,
/// or where the loss is large its rounding error, can exceed that, and a correct gradient then
/// shows a relative error just above 1e-6 (3 networks in 150 000 of those generated here).
/// So each parameter is compared at the default step and at three times either side: backprop
/// must agree with the finite difference to 1e-6 at one of them. A wrong gradient agrees at none.
type GradientProperties(output: ITestOutputHelper) =
    [<Property(MaxTest = 200)>]
    member _.``backprop agrees with finite differences to 1e-6 on small sigmoid/tanh networks``
        ()
        =
        Prop.forAll (Arb.fromGen sigmoidTanh) (fun case ->
            let atDefault, best = worstErrors case
            best <= 1e-6
            |> Prop.label (sprintf "worst relative error %g by default, %g at best" atDefault best)
            |> Prop.classify (atDefault <= 1e-6) "passes at the default step"
            |> Prop.classify (not (atDefault <= 1e-6)) "needs another step")

    [<Property(MaxTest = 200)>]
    member _.``the gradient of a batch is the mean of its samples' gradients`` () =
        Prop.forAll (Arb.fromGen sigmoidTanh) (fun case ->
            let net = case.Network
            let struct (_, batchGradient) =
                net.LossAndGradient(case.Inputs, case.Targets, case.Loss)

            let perSample =
                [ for k in 0 .. case.Inputs.ColumnCount - 1 ->
                      let x, y = case.Inputs.Column k, case.Targets.Column k
                      net.Backward(net.Forward x, y, case.Loss) ]

            let mean = Gradient.Mean(toLSeq perSample)
            let batch = flatten batchGradient
            let scale = batch |> Array.map abs |> Array.fold max 1.0
            Array.forall2 (fun b m -> abs (b - m) <= 1e-13 * scale) batch (flatten mean))

    /// A measurement as much as a test: the worst relative errors over a fixed sample of cases.
    [<Fact>]
    member _.``the worst relative errors over 200 seeded cases are reported`` () =
        let cases = Gen.sampleWithSeed (Rnd(20250101UL)) 10 200 sigmoidTanh
        let errors = cases |> Array.map worstErrors
        let atDefault, best = Array.map fst errors, Array.map snd errors
        let worst, worstBest = Array.max atDefault, Array.max best
        let worstCase = cases[Array.findIndex ((=) worst) atDefault]
        let median = (Array.sort atDefault)[errors.Length / 2]
        output.WriteLine(
            sprintf "%d cases. Default step: worst %.3g (%O), median %.3g. Best step: worst %.3g"
                cases.Length worst worstCase median worstBest)
        Assert.True(worstBest <= 1e-6, sprintf "worst relative error %g" worstBest)

    /// One network where the default step reports just over 1e-6: a single tanh layer whose
    /// W[1,1] has a derivative of about −9.7e-8, so the floor makes the comparison absolute.
    [<Fact>]
    member _.``a default-step excess is the stencil's, not backprop's`` () =
        let inputs =
            matrix [ [ 1.711; -0.376; 1.653; 1.135 ]
                     [ 1.819; -1.485; -0.176; 1.661 ]
                     [ 0.181; 0.079; 0.966; 1.409 ] ]
        let targets =
            matrix [ [ -0.654; -0.487; -0.254; -0.838 ]; [ 0.641; -0.339; 0.965; -0.097 ] ]
        let net =
            Network.Initialize<float>(
                [| 3; 2 |], Activation.Sigmoid, Activation.Tanh, Initialization.StandardNormal,
                795976696UL)

        let check h =
            let options = GradientCheckOptions(RelativeStep = h)
            GradientCheck.Run(net, inputs, targets, Loss.Quadratic, options)
        let describe (report: GradientCheckReport) =
            report.Worst.Match(
                Some = (fun p ->
                    sprintf "%.3g at %A[%d,%d] (analytic %.7e, numeric %.7e)"
                        p.RelativeError p.Kind p.Row p.Column p.Analytic p.Numeric),
                None = fun () -> "nothing checked")

        for h in [ 3e-3; 1e-3; 3e-4 ] do
            output.WriteLine(sprintf "step %g: worst relative error %s" h (describe (check h)))
        Assert.True((check 3e-4).Passed)

    [<Fact>]
    member _.``the report of a hand-built network names its worst parameter`` () =
        let net = Construction.handBuilt ()
        let x = matrix [ [ 0.3; 1.0; -0.5 ]; [ -0.7; 0.2; 0.9 ] ]
        let y = matrix [ [ 1.0; 0.0; 1.0 ] ]

        let strict = GradientCheckOptions(Tolerance = 1e-8)
        let report = GradientCheck.Run(net, x, y, Loss.BinaryCrossEntropy, strict)

        Assert.True(report.Passed, sprintf "worst relative error %g" report.WorstRelativeError)
        Assert.Equal(net.ParameterCount, report.Parameters.Count)
        let worst =
            report.Worst.Match(
                Some = (fun p -> sprintf "%A[%d,%d]" p.Kind p.Row p.Column),
                None = fun () -> "none")
        output.WriteLine(
            sprintf "hand-built 2-2-1: worst relative error %.3g at %s"
                report.WorstRelativeError worst)
