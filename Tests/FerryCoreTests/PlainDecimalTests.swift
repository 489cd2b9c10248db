import Testing
@testable import FerryCore

/// `PlainDecimal` must accept only decimal text that `writeDouble` prints back as written.
@Suite struct PlainDecimalTests {
    func viaDouble(_ text: String) -> String {
        var writer = JSONWriter()
        writer.writeDouble(Double(text)!)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    func copied(_ text: String) -> String? {
        var writer = JSONWriter()
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBufferPointer { writer.writeDouble(plainDecimal: $0) }
        return written ? String(decoding: writer.bytes, as: UTF8.self) : nil
    }

    @Test func acceptedTextIsWhatWriteDoublePrints() {
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        for _ in 0..<200_000 {
            let integerDigits = Int.random(in: 0...16, using: &generator)
            let fractionDigits = Int.random(in: 0...16, using: &generator)
            var text = Bool.random(using: &generator) ? "-" : ""
            text += integerDigits == 0 ? "0" : String(Int.random(in: 1...9, using: &generator))
                + String((1..<max(1, integerDigits)).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            if fractionDigits > 0 {
                let zeros = Int.random(in: 0...5, using: &generator)
                text += "." + String(repeating: "0", count: min(zeros, fractionDigits - 1))
                    + String((0..<(fractionDigits - min(zeros, fractionDigits - 1))).map { _ in
                        Character(String(Int.random(in: 0...9, using: &generator))) })
            }
            guard let copy = copied(text) else { continue }
            accepted += 1
            #expect(copy == viaDouble(text), "\(text)")
            if copy != viaDouble(text) { return }
        }
        #expect(accepted > 20_000)
    }

    @Test(arguments: ["612.02", "-3.5", "0.5", "0.0001", "0", "-0", "42", "999999999999999", "12345678.1234567", "0.000123456789012345",
                      "612.10", "1.50", "7.00", "0.0", "-0.00", "0.00010", "999999999999999.000", "12345678.12345670"])
    func plainDecimalsAreCopied(_ text: String) {
        #expect(copied(text) == viaDouble(text))
    }

    @Test(arguments: ["", "-", "+1", "1e5", "1E5", "01", "00.5", "1.", ".5", "0.00001", "0.000010", "1000000000000000",
                      "1000000000000000.00", "1.234567890123456", "1.2345678901234560", "12 ", " 1", "1.2.3", "0x10", "1_000", "nan"])
    func otherTextIsLeftToWriteDouble(_ text: String) {
        #expect(copied(text) == nil)
    }
}
