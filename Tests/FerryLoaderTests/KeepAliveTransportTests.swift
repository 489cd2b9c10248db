import Foundation
import NIOCore
import NIOPosix
import AsyncHTTPClient
import Testing
@testable import FerryLoader

@Suite struct KeepAliveTransportTests {
    private func transport(_ server: RawHTTPServer, path: String = "") throws -> KeepAliveTransport {
        KeepAliveTransport(origin: try #require(Origin(server.baseURL + path)), connectTimeout: 2)
    }

    private func post(_ body: String, target: String = "/v1/events",
                      headers: [(name: String, value: String)] = [("Content-Type", "application/json")]) -> OutgoingRequest {
        OutgoingRequest(method: "POST", target: target, headers: headers, body: Array(body.utf8))
    }

    private static let ok = "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok"

    /// The request on the wire is exactly the request line, Host, the headers, Content-Length
    /// and the body, and one connection carries every request in turn.
    @Test func requestsGoOutWholeOnOneKeptConnection() async throws {
        let server = try RawHTTPServer.answering(Self.ok)
        defer { server.shutdown() }
        let client = try transport(server)
        for n in 0..<20 {
            let response = try await client.sendOnLoop(post("{\"n\":\(n)}", headers: [("Authorization", "Bearer s"), ("Content-Type", "application/json")]),
                                                 timeout: .seconds(5))
            #expect(response.status == 202)
            #expect(String(decoding: response.body, as: UTF8.self) == "ok")
        }
        await client.shutdown()
        #expect(server.connectionCount == 1)
        #expect(server.requests.count == 20)
        let first = String(decoding: try #require(server.requests.first), as: UTF8.self)
        #expect(first == "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nAuthorization: Bearer s\r\n"
                + "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"n\":0}")
    }

    @Test func concurrentSendersOpenNoMoreConnectionsThanThereAreSenders() async throws {
        let server = try RawHTTPServer.answering(Self.ok)
        defer { server.shutdown() }
        let client = try transport(server)
        let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var seen: [Int] = []
                    for _ in 0..<25 { seen.append(try await client.sendOnLoop(self.post("{}"), timeout: .seconds(5)).status) }
                    return seen
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        await client.shutdown()
        #expect(statuses.count == 100 && statuses.allSatisfy { $0 == 202 })
        #expect(server.connectionCount <= 4, "\(server.connectionCount) connections")
        #expect(server.requests.count == 100)
    }

    /// The senders run on one of the group's event loops unless told otherwise (with a loop
    /// each, every answer woke its own thread), and never on more loops than there are.
    @Test func sendersRunOnOneEventLoopByDefault() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let origin = try #require(Origin("http://127.0.0.1:9"))
        #expect(KeepAliveTransport(origin: origin, connectTimeout: 2, group: group).executors.count == 1)
        #expect(KeepAliveTransport(origin: origin, connectTimeout: 2, group: group, loops: 2).executors.count == 2)
        #expect(KeepAliveTransport(origin: origin, connectTimeout: 2, group: group, loops: 8).executors.count == 3)
        #expect(KeepAliveTransport(origin: origin, connectTimeout: 2, group: group, loops: 0).executors.count == 1)
        try await group.shutdownGracefully()
    }

    /// The base URL's path goes in front of the target; an answer that closes the
    /// connection makes the next request open a new one.
    @Test func closedConnectionsAreReplaced() async throws {
        let server = try RawHTTPServer { number, _ in
            .pieces([Array("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: \(String(number).utf8.count)\r\n\r\n\(number)".utf8)],
                    close: true)
        }
        defer { server.shutdown() }
        let client = try transport(server, path: "/pyze/")
        for n in 0..<3 {
            let response = try await client.sendOnLoop(post("{}", target: "/pyze/v1/events"), timeout: .seconds(5))
            #expect(String(decoding: response.body, as: UTF8.self) == String(n))
        }
        #expect(server.connectionCount == 3)
        #expect(server.requests.allSatisfy { String(decoding: $0, as: UTF8.self).hasPrefix("POST /pyze/v1/events HTTP/1.1\r\n") })
    }

    @Test func anAnswerInPiecesAndChunksIsReadWhole() async throws {
        let server = try RawHTTPServer { _, _ in
            .pieces([Array("HTTP/1.1 207 Multi-Status\r\nTransfer-".utf8), Array("Encoding: chunked\r\n\r\n4\r\n[1,2\r\n".utf8),
                     Array("1\r\n]\r\n0\r\n\r\n".utf8)], close: false)
        }
        defer { server.shutdown() }
        let client = try transport(server)
        let response = try await client.sendOnLoop(post("{}"), timeout: .seconds(5))
        #expect(response.status == 207)
        #expect(String(decoding: response.body, as: UTF8.self) == "[1,2]")
        await client.shutdown()
    }

    @Test func noAnswerWithinTheTimeoutIsATimeout() async throws {
        let server = try RawHTTPServer { _, _ in .silence }
        defer { server.shutdown() }
        let client = try transport(server)
        let start = ContinuousClock.now
        await #expect { try await client.sendOnLoop(post("{}"), timeout: .milliseconds(200)) } throws: { error in
            (error as? TransportError)?.kind == .timeout
        }
        let waited = ContinuousClock.now - start
        // The upper bound is loose: under a parallel test run a resumed task may wait its turn.
        #expect(waited >= .milliseconds(190) && waited < .seconds(30), "\(waited)")
    }

    /// One timer serves a connection's requests: a silent second request still times out,
    /// on time, after a first one with a longer timeout was answered.
    @Test func aLaterRequestOnTheSameConnectionTimesOutOnTime() async throws {
        let server = try RawHTTPServer { number, _ in number == 0 ? .pieces([Array(Self.ok.utf8)], close: false) : .silence }
        defer { server.shutdown() }
        let client = try transport(server)
        #expect(try await client.sendOnLoop(post("{}"), timeout: .seconds(120)).status == 202)
        let start = ContinuousClock.now
        await #expect { try await client.sendOnLoop(post("{}"), timeout: .milliseconds(200)) } throws: { error in
            (error as? TransportError)?.kind == .timeout
        }
        let waited = ContinuousClock.now - start
        // The upper bound is loose: under a parallel test run a resumed task may wait its turn.
        #expect(waited >= .milliseconds(190) && waited < .seconds(30), "\(waited)")
        #expect(server.connectionCount == 1)
    }

    /// A connection whose request timed out is not used again: its late answer must not be
    /// taken for the next request's.
    @Test func aTimedOutConnectionIsNotReused() async throws {
        let server = try RawHTTPServer { number, _ in
            let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n\(number)".utf8)
            return number == 0 ? .late(answer, after: .milliseconds(300)) : .pieces([answer], close: false)
        }
        defer { server.shutdown() }
        let client = try transport(server)
        await #expect { try await client.sendOnLoop(post("{}"), timeout: .milliseconds(100)) } throws: { error in
            (error as? TransportError)?.kind == .timeout
        }
        try await Task.sleep(for: .milliseconds(400))
        let second = try await client.sendOnLoop(post("{}"), timeout: .seconds(5))
        #expect(String(decoding: second.body, as: UTF8.self) == "1")
        #expect(server.connectionCount == 2)
    }

    /// A kept connection that the server closes on the next request without a byte of answer
    /// (its idle timeout raced the request) is retried once on a new connection; on a new
    /// connection the same is an error (the aHangUp test).
    @Test func aStaleKeptConnectionIsRetriedOnceOnANewOne() async throws {
        let server = try RawHTTPServer { number, _ in
            number == 1 ? .hangUp : .pieces([Array("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n\(number)".utf8)], close: false)
        }
        defer { server.shutdown() }
        let client = try transport(server)
        #expect(String(decoding: try await client.sendOnLoop(post("{}"), timeout: .seconds(5)).body, as: UTF8.self) == "0")
        #expect(String(decoding: try await client.sendOnLoop(post("{}"), timeout: .seconds(5)).body, as: UTF8.self) == "2")
        #expect(server.connectionCount == 2)
        #expect(server.requests.count == 3)
    }

    /// Control characters and spaces that would break the request line or a header are
    /// refused before anything is sent.
    @Test func requestsThatCannotBeWrittenAreRefused() async throws {
        let server = try RawHTTPServer.answering(Self.ok)
        defer { server.shutdown() }
        let client = try transport(server)
        let bad: [OutgoingRequest] = [
            post("{}", target: "/a b/v1/events"),
            post("{}", headers: [("X-Key", "abc\u{7}def")]),
            post("{}", headers: [("Bad Name", "x")]),
            OutgoingRequest(method: "PO ST", target: "/", headers: [], body: nil),
        ]
        for request in bad {
            await #expect { try await client.sendOnLoop(request, timeout: .seconds(5)) } throws: { error in
                (error as? TransportError)?.kind == .invalidRequest
            }
        }
        #expect(server.requests.isEmpty)
        #expect(try await client.sendOnLoop(post("{}", headers: [("X-Tabbed", "a\tb")]), timeout: .seconds(5)).status == 202)
    }

    @Test func aHangUpIsAClosedConnection() async throws {
        let server = try RawHTTPServer { _, _ in .hangUp }
        defer { server.shutdown() }
        let client = try transport(server)
        await #expect { try await client.sendOnLoop(post("{}"), timeout: .seconds(5)) } throws: { error in
            (error as? TransportError)?.kind == .connectionClosed
        }
        // A half-sent answer is no answer either.
        let partial = try RawHTTPServer { _, _ in .pieces([Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8)], close: true) }
        defer { partial.shutdown() }
        let second = try transport(partial)
        await #expect { try await second.sendOnLoop(post("{}"), timeout: .seconds(5)) } throws: { error in
            (error as? TransportError)?.kind == .connectionClosed
        }
    }

    @Test func aMalformedAnswerIsReportedAsOne() async throws {
        let server = try RawHTTPServer.answering("HTTP/1.1 OK\r\n\r\n")
        defer { server.shutdown() }
        let client = try transport(server)
        await #expect { try await client.sendOnLoop(post("{}"), timeout: .seconds(5)) } throws: { error in
            (error as? TransportError)?.kind == .malformedResponse
        }
    }

    @Test func nobodyListeningIsAConnectError() async throws {
        let server = try RawHTTPServer.answering(Self.ok)
        let url = server.baseURL
        server.shutdown()
        let client = KeepAliveTransport(origin: try #require(Origin(url)), connectTimeout: 2)
        await #expect { try await client.sendOnLoop(post("{}"), timeout: .seconds(5)) } throws: { error in
            guard let error = error as? TransportError else { return false }
            return error.kind == .connect && error.detail.contains("127.0.0.1")
        }
    }

    /// A header value with a line break would split the request: refused before anything is
    /// sent, and the error does not repeat the value (it may be a secret).
    @Test func headersWithLineBreaksAreRefused() async throws {
        let server = try RawHTTPServer.answering(Self.ok)
        defer { server.shutdown() }
        let client = try transport(server)
        await #expect { try await client.sendOnLoop(post("{}", headers: [("Authorization", "Bearer s3cret\r\nX-Evil: 1")]), timeout: .seconds(5)) }
            throws: { error in
                guard let error = error as? TransportError else { return false }
                return error.kind == .invalidRequest && error.detail.contains("line break") && !error.detail.contains("s3cret")
            }
        #expect(server.requests.isEmpty)
    }
}

extension KeepAliveTransport {
    /// `send` on one of the transport's event loops, as the senders run it; this also keeps
    /// the tests' timing away from the cooperative threads that other suites' blocking
    /// subprocess runs hold.
    func sendOnLoop(_ request: OutgoingRequest, timeout: Duration) async throws -> ReceivedResponse {
        try await withTaskExecutorPreference(executors[0]) { try await send(request, timeout: timeout) }
    }
}

@Suite struct AsyncHTTPClientTransportTests {
    /// AsyncHTTPClient's own error for a refused header prints the header's value: the
    /// mapped error must not (the value is the credential).
    @Test func refusedHeadersAreReportedWithoutTheirValue() {
        let error = AsyncHTTPClientTransport.transportError(HTTPClientError.invalidHeaderFieldValues(["Bearer s3cret\r"]))
        #expect(error.kind == .invalidRequest)
        #expect(!error.detail.contains("s3cret"), "\(error.detail)")
        #expect(AsyncHTTPClientTransport.transportError(HTTPClientError.deadlineExceeded).kind == .timeout)
        #expect(AsyncHTTPClientTransport.transportError(HTTPClientError.remoteConnectionClosed).kind == .connectionClosed)
    }

    /// An unwritable request is refused before any connection is tried.
    @Test func unwritableRequestsAreRefusedBeforeConnecting() async throws {
        let transport = AsyncHTTPClientTransport(origin: try #require(Origin("https://127.0.0.1:9")), settings: LoadSettings())
        let request = OutgoingRequest(method: "POST", target: "/v1/events", headers: [("Authorization", "Bearer s3cret\n")],
                                      body: Array("{}".utf8))
        await #expect { try await transport.send(request, timeout: .seconds(5)) } throws: { error in
            guard let error = error as? TransportError else { return false }
            return error.kind == .invalidRequest && !error.detail.contains("s3cret")
        }
        await transport.shutdown()
    }
}
