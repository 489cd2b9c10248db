import NIOCore
import Testing
import FerryVendors
@testable import FerrySandbox

@Suite struct BodyBufferPoolTests {
    /// Where a buffer's bytes live: the same address means the same allocation.
    static func address(_ buffer: ByteBuffer) -> UInt {
        buffer.withVeryUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
    }

    @Test func aBufferGivenBackIsTakenAgainEmptyWithItsRoom() {
        let pool = BodyBufferPool()
        var buffer = pool.take()
        #expect(buffer.capacity == 0)
        buffer.reserveCapacity(100_000)
        buffer.writeBytes(Array(repeating: UInt8(ascii: "x"), count: 90_000))
        let address = Self.address(buffer)
        pool.give(consume buffer)
        #expect(pool.kept.buffers == 1)
        let again = pool.take()
        #expect(again.readableBytes == 0)
        #expect(again.capacity >= 100_000)
        #expect(Self.address(again) == address)
        #expect(pool.kept.buffers == 0 && pool.kept.bytes == 0)
    }

    @Test func itKeepsNoMoreThanItsLimits() {
        let pool = BodyBufferPool(maximumKept: 2, maximumBytes: 300_000, maximumBufferBytes: 200_000)
        func buffer(_ capacity: Int) -> ByteBuffer {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(capacity)
            return buffer
        }
        pool.give(buffer(250_000))   // over maximumBufferBytes
        #expect(pool.kept.buffers == 0)
        pool.give(ByteBuffer())      // no room to reuse
        #expect(pool.kept.buffers == 0)
        pool.give(buffer(120_000))
        pool.give(buffer(120_000))
        #expect(pool.kept.buffers == 2)
        pool.give(buffer(1_000))     // over maximumKept
        #expect(pool.kept.buffers == 2)
        _ = pool.take()
        pool.give(buffer(190_000))   // over maximumBytes with the one left
        #expect(pool.kept.buffers == 1)
        #expect(pool.kept.bytes <= 300_000 && pool.kept.bytes >= 120_000)
    }

    /// A buffer handed back while a copy of it is alive is not overwritten under that copy.
    @Test func aCopyStillHeldKeepsItsBytes() {
        let pool = BodyBufferPool()
        var buffer = ByteBuffer()
        buffer.writeString("first body")
        let held = buffer
        pool.give(buffer)
        var next = pool.take()
        next.writeString("second body, longer")
        #expect(held.getString(at: 0, length: held.readableBytes) == "first body")
        #expect(next.getString(at: 0, length: next.readableBytes) == "second body, longer")
    }

    /// Through the server: the buffer a request's body was read into is handed back whole
    /// (nothing else holds it), and the next request's body is read into that same buffer.
    @Test func requestsReuseOneBodyBuffer() async throws {
        let events = try target("toplyne.user_events")
        let record = #"{"userId":"u1","eventName":"login","timestamp":1700000000}"#
        let body = bytes(#"{"events":["# + Array(repeating: record, count: 200).joined(separator: ",") + "]}")
        try await withSandbox { server in
            let reply = try await SandboxHTTP.send(events, on: server, body: body)
            #expect(reply.status == 200)
            let pool = server.state.bodyBuffers
            #expect(pool.kept.buffers == 1)
            let first = pool.take()
            #expect(first.capacity >= body.count)
            let address = Self.address(first)
            pool.give(consume first)
            let again = try await SandboxHTTP.send(events, on: server, body: body)
            #expect(again.status == 200)
            #expect(pool.kept.buffers == 1)
            #expect(Self.address(pool.take()) == address)
        }
    }
}
