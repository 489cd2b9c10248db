import Testing
@testable import FerryVendors

@Suite struct SHA256Tests {
    private func hex(_ bytes: [UInt8], hardware: Bool, pieces: Int = 1) -> String {
        var hasher = SHA256(hardware: hardware)
        let step = max(1, bytes.count / pieces)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + step)
            hasher.update(bytes[start..<end])
            start = end
        }
        return SHA256.hex(hasher.finalize())
    }

    /// FIPS 180-4's examples and the million a's, on both paths.
    @Test(arguments: [false, true])
    func knownDigests(hardware: Bool) {
        let vectors: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ]
        for (text, digest) in vectors {
            #expect(hex(Array(text.utf8), hardware: hardware) == digest, "\(text)")
        }
        #expect(hex([UInt8](repeating: 0x61, count: 1_000_000), hardware: hardware, pieces: 7)
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The CPU's SHA instructions give the portable code's digest for every length around the
    /// block boundaries, whole or in pieces.
    @Test func hardwareAndPortableAgree() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...700 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let portable = hex(bytes, hardware: false)
            #expect(hex(bytes, hardware: true) == portable, "length \(length)")
            #expect(hex(bytes, hardware: true, pieces: 3) == portable, "length \(length) in pieces")
        }
    }
}
