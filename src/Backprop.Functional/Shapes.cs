using LanguageExt;
using LanguageExt.Common;
using MathNet.Numerics.LinearAlgebra;
using static LanguageExt.Prelude;

namespace Backprop.Functional;

/// <summary>
/// Checks of shapes and values at the core's boundary. Each returns a <see cref="Fin{A}"/>
/// whose error names what was expected and what was found.
/// </summary>
public static class Shapes
{
    /// <summary>Describes a matrix's shape as "rows × columns".</summary>
    public static string Describe<T>(Matrix<T> m)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        $"{m.RowCount} × {m.ColumnCount}";

    /// <summary>
    /// Checks a batch of inputs (one sample a column) against a network's input size: at least
    /// one column, the right number of rows, and every value finite.
    /// </summary>
    public static Fin<Matrix<T>> CheckInput<T>(int inputSize, Matrix<T> inputs)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        CheckInputShape(inputSize, inputs).Bind(x => CheckFinite("inputs", x));

    /// <summary>The shape half of <see cref="CheckInput{T}"/>, without reading the values.</summary>
    internal static Fin<Matrix<T>> CheckInputShape<T>(int inputSize, Matrix<T> inputs)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (inputs.ColumnCount == 0)
        {
            return FinFail<Matrix<T>>(Error.New(
                $"the batch of inputs is empty ({Describe(inputs)}); expected at least one "
                + "column"));
        }

        if (inputs.RowCount != inputSize)
        {
            return FinFail<Matrix<T>>(Error.New(
                $"inputs are {Describe(inputs)} but the network expects "
                + $"{Plural.Of(inputSize, "row")} "
                + "(one sample a column)"));
        }

        return FinSucc(inputs);
    }

    /// <summary>
    /// Checks targets against the network's outputs: the same shape, every value finite.
    /// </summary>
    public static Fin<Matrix<T>> CheckTargets<T>(Matrix<T> outputs, Matrix<T> targets)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        if (targets.RowCount != outputs.RowCount || targets.ColumnCount != outputs.ColumnCount)
        {
            return FinFail<Matrix<T>>(Error.New(
                $"targets are {Describe(targets)} but the outputs are {Describe(outputs)}"));
        }

        return CheckFinite("targets", targets);
    }

    /// <summary>
    /// Checks that every value of <paramref name="m"/> is finite, naming the first that is not.
    /// </summary>
    public static Fin<Matrix<T>> CheckFinite<T>(string what, Matrix<T> m)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        var values = Dense.Values(m);
        var i = Dense.FirstNonFinite<T>(values);
        return i < 0
            ? FinSucc(m)
            : FinFail<Matrix<T>>(Error.New(
                $"{what} contain {values[i]} at row {i % m.RowCount}, column {i / m.RowCount}; "
                + "expected finite numbers"));
    }

    /// <summary>
    /// The value of a successful check, or an <see cref="System.ArgumentException"/>.
    /// </summary>
    internal static TValue OrThrow<TValue>(this Fin<TValue> fin, string parameter) =>
        fin.Match(
            Succ: a => a,
            Fail: e => throw new System.ArgumentException(e.Message, parameter));
}
