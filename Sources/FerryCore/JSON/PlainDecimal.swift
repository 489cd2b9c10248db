/// Decimal text that `JSONWriter.writeDouble` would print back, for the value it parses to,
/// as the text itself less any trailing zeros of its fraction, so that a float field can copy
/// it rather than parse and print it.
///
/// Such text is an optional `-`, digits without a leading zero (or a single `0`), and either
/// nothing more or a point and digits (printed without the fraction's trailing zeros, and as
/// `.0` when the fraction is all zeros); no `+`, no exponent, and at most 15 significant digits
/// once the trailing zeros are gone. Two different decimals of at most 15 significant digits
/// never parse to the same double, so the shortest text that reads back as that double, which
/// `description` prints, has the same digits; and values from 1e-4 up to 1e15 are printed
/// without an exponent. (`PlainDecimalTests` checks this against `writeDouble` over many
/// generated decimals.)
public enum PlainDecimal {
    /// How to print a plain decimal: its first `length` bytes, then `.0` when `pointZero`.
    public struct Form: Equatable, Sendable {
        /// The bytes printed as written: all, or all but the fraction's trailing zeros (and
        /// its point, when only zeros follow it).
        public let length: Int
        /// No fraction is left to print: `.0` follows the digits.
        public let pointZero: Bool
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { (byte &- 0x30) < 10 }

    /// The form of `text`, or nil when `writeDouble` might print it otherwise.
    public static func form(_ text: UnsafeBufferPointer<UInt8>) -> Form? {
        let count = text.count
        var index = 0
        if count > 0, text[0] == UInt8(ascii: "-") { index = 1 }
        let integerStart = index
        while index < count, isDigit(text[index]) { index += 1 }
        let integerDigits = index - integerStart
        guard integerDigits > 0, integerDigits <= 15 else { return nil }
        let integerIsZero = text[integerStart] == UInt8(ascii: "0")
        if integerIsZero, integerDigits > 1 { return nil }   // a leading zero
        if index == count { return Form(length: count, pointZero: true) }
        guard text[index] == UInt8(ascii: ".") else { return nil }
        let point = index
        index += 1
        let fractionStart = index
        while index < count, isDigit(text[index]) { index += 1 }
        guard index == count, index > fractionStart else { return nil }
        var end = count
        while end > fractionStart, text[end - 1] == UInt8(ascii: "0") { end -= 1 }
        if end == fractionStart { return Form(length: point, pointZero: true) }   // 7.00 is 7.0
        var significant = integerIsZero ? 0 : integerDigits
        var fraction = fractionStart
        if integerIsZero {
            // 0.0001 is printed as it is; 0.00001 as 1e-05.
            while text[fraction] == UInt8(ascii: "0") { fraction += 1 }
            guard fraction - fractionStart <= 3 else { return nil }
        }
        significant += end - fraction
        return significant <= 15 ? Form(length: end, pointZero: false) : nil
    }
}
