import Testing
@testable import FerryVendors

/// SHA-256 against FIPS 180-4's examples and Python's hashlib, around every padding edge
/// (55, 56, 63, 64, 65 bytes) and across many blocks, fed whole and in uneven pieces, on the
/// portable code and on the CPU's SHA instructions (where the CPU has them).
@Suite struct SHA256Tests {
    static let vectors: [(message: [UInt8], hex: String)] = [
        ([], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (Array("abc".utf8), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (Array(repeating: 0x61, count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (Array(repeating: 0x61, count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (Array(repeating: 0x61, count: 63), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (Array(repeating: 0x61, count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (Array(repeating: 0x61, count: 65), "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (Array(repeating: 0x61, count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
        (Array(repeating: 0x61, count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ]

    /// `message` fed to a hasher in pieces of `piece` bytes (all at once for nil).
    private func digest(_ message: [UInt8], hardware: Bool, piece: Int? = nil) -> String {
        var hasher = SHA256(hardware: hardware)
        let step = max(1, piece ?? message.count)
        var start = 0
        while start < message.count {
            let end = min(message.count, start + step)
            hasher.update(message[start..<end])
            start = end
        }
        return SHA256.hex(hasher.finalize())
    }

    /// The one-shot digest (no buffers) gives the known values, and the incremental hasher's
    /// digest for every length from 0 to 200 bytes (one and two padding blocks, many blocks).
    @Test(arguments: [false, true])
    func theOneShotDigestMatches(hardware: Bool) {
        func oneShot(_ message: [UInt8]) -> String {
            var out = [UInt8](repeating: 0, count: 32)
            message.withUnsafeBytes { bytes in
                out.withUnsafeMutableBytes { SHA256.digest(of: bytes, into: $0, hardware: hardware) }
            }
            return SHA256.hex(out)
        }
        for (message, hex) in Self.vectors {
            #expect(oneShot(message) == hex, "\(message.count) bytes")
        }
        let text = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for length in 0...200 {
            let message = Array(text[..<length])
            #expect(oneShot(message) == digest(message, hardware: hardware), "\(length) bytes")
        }
    }

    @Test(arguments: [false, true])
    func digestsMatchTheKnownValues(hardware: Bool) {
        for (message, hex) in Self.vectors {
            #expect(digest(message, hardware: hardware) == hex, "\(message.count) bytes")
        }
        #expect(SHA256.hex(SHA256.hash(Array("abc".utf8))) == Self.vectors[1].hex, "the default path")
    }

    @Test(arguments: [false, true])
    func feedingInPiecesGivesTheSameDigest(hardware: Bool) {
        for (message, hex) in Self.vectors where message.count > 3 && message.count < 100_000 {
            for piece in [1, 7, 63, 64, 100] {
                #expect(digest(message, hardware: hardware, piece: piece) == hex, "\(message.count) bytes in pieces of \(piece)")
            }
        }
    }

    @Test func buffersArraysAndOtherSequencesGiveTheSameDigest() {
        let message = Array((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let viaBuffer = message.withUnsafeBufferPointer { SHA256.hash($0) }
        #expect(viaBuffer == SHA256.hash(message))
        // A sequence without contiguous storage goes through a copy.
        #expect(SHA256.hash(message.lazy.map { $0 }) == SHA256.hash(message))
        #expect(SHA256.hex(SHA256.hash(Array(repeating: UInt8(0x61), count: 1000).lazy.map { $0 }))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// The CPU's SHA instructions give the portable code's digest for every length around the
    /// block boundaries, whole or in pieces.
    @Test func hardwareAndPortableAgree() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...700 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let portable = digest(bytes, hardware: false)
            #expect(digest(bytes, hardware: true) == portable, "length \(length)")
            #expect(digest(bytes, hardware: true, piece: max(1, length / 3)) == portable, "length \(length) in pieces")
        }
    }
}
