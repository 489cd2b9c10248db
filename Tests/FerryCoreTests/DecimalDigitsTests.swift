import Testing
@testable import FerryCore

/// `DecimalDigits` must write what `String(_:)` does, for every digit count and both signs.
@Suite struct DecimalDigitsTests {
    func written(_ value: Int64) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: DecimalDigits.maxLength) { buffer in
            let n = DecimalDigits.write(value, to: buffer.baseAddress!)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<n]), as: UTF8.self)
        }
    }

    /// Each power of ten, one less and one more, both signs, and the ends of Int64.
    var edges: [Int64] {
        var values: [Int64] = [0, 1, -1, 9, -9, .max, .min, .max - 1, .min + 1]
        var power: Int64 = 10
        while true {
            values += [power - 1, power, power + 1, -(power - 1), -power, -(power + 1)]
            let (next, overflow) = power.multipliedReportingOverflow(by: 10)
            if overflow { break }
            power = next
        }
        return values
    }

    @Test func everyDigitCountAndSignIsWrittenAsStringWritesIt() {
        for value in edges {
            #expect(written(value) == String(value), "\(value)")
        }
    }

    @Test func randomValuesOfEveryMagnitudeAreWrittenAsStringWritesThem() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let bits = Int.random(in: 0...63, using: &generator)
            let magnitude = Int64.random(in: 0...(bits == 63 ? .max : (Int64(1) << bits)), using: &generator)
            let value = Bool.random(using: &generator) ? magnitude : -magnitude
            #expect(written(value) == String(value), "\(value)")
        }
    }

    @Test func digitCountsMatchTheTextLength() {
        for value in edges {
            #expect(DecimalDigits.count(value.magnitude) == String(value.magnitude).count, "\(value)")
        }
        #expect(DecimalDigits.count(UInt64.max) == 20)
        #expect(DecimalDigits.count(10_000_000_000_000_000_000) == 20)
        #expect(DecimalDigits.count(9_999_999_999_999_999_999) == 19)
    }

    @Test func theWriterAndEpochTimestampsWriteEveryEdgeAsStringDoes() {
        var writer = JSONWriter()
        writer.beginArray()
        for value in edges { writer.writeInt(value) }
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[" + edges.map(String.init).joined(separator: ",") + "]")
        for value in edges {
            #expect(TimestampFormatter.string(Timestamp(seconds: value, nanoseconds: 0, offsetSeconds: 0), as: .epochSeconds) == String(value))
        }
    }
}
