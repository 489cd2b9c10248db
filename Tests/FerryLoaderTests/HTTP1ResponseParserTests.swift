import Testing
@testable import FerryLoader

@Suite struct HTTP1ResponseParserTests {
    /// Feeds `pieces` in order; the answer once it is complete, and whether more came after.
    private func parse(_ pieces: [[UInt8]], parser: HTTP1ResponseParser = HTTP1ResponseParser())
        throws -> (response: ReceivedResponse, keepAlive: Bool)? {
        var parser = parser
        for piece in pieces {
            let progress = try piece.withUnsafeBytes { raw in try parser.feed(raw) }
            if case .complete(let response, let keepAlive) = progress { return (response, keepAlive) }
        }
        if let response = try parser.connectionClosed() { return (response, false) }
        return nil
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func body(_ result: (response: ReceivedResponse, keepAlive: Bool)?) -> String? {
        result.map { String(decoding: $0.response.body, as: UTF8.self) }
    }

    @Test func contentLengthAnswerArrivingOneByteAtATime() throws {
        let text = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\ncontent-length: 11\r\nRetry-After: 3\r\n\r\n{\"ok\":true}"
        let result = try parse(bytes(text).map { [$0] })
        let answer = try #require(result)
        #expect(answer.response.status == 202)
        #expect(answer.keepAlive)
        #expect(body(result) == #"{"ok":true}"#)
        #expect(answer.response.header("retry-after") == "3")
        #expect(answer.response.header("CONTENT-TYPE") == "application/json")
    }

    /// One parser per connection, reset for each answer: the second answer is read whole and
    /// nothing of the first (headers, body, a half-read head) carries over.
    @Test func aResetParserReadsTheNextAnswerAfresh() throws {
        var parser = HTTP1ResponseParser()
        let first = bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-First: 1\r\n\r\nfirst")
        guard case .complete(let one, true) = try first.withUnsafeBytes({ raw in try parser.feed(raw) }) else {
            Issue.record("the first answer was not complete")
            return
        }
        #expect(String(decoding: one.body, as: UTF8.self) == "first")
        parser.reset(bodyless: false)
        let second = bytes("HTTP/1.1 201 Created\r\ncontent-length: 3\r\n\r\ntwo")
        let answer = try #require(try parse([Array(second[..<10]), Array(second[10...])], parser: parser))
        #expect(answer.response.status == 201)
        #expect(answer.response.header("X-First") == nil)
        #expect(String(decoding: answer.response.body, as: UTF8.self) == "two")
        parser.reset(bodyless: true)
        let head = try #require(try parse([bytes("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n")], parser: parser))
        #expect(head.response.body.isEmpty, "an answer to HEAD has no body")
    }

    /// Chunk sizes in both cases, an extension, a trailer: the same body whatever two
    /// pieces the bytes arrive in.
    @Test func chunkedAnswerSplitAnywhere() throws {
        let text = "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;note=x\r\n{\"err\r\nA\r\nor\":\"bad\"}\r\n0\r\nX-Trailer: 1\r\n\r\n"
        let all = bytes(text)
        for split in 0...all.count {
            let result = try parse([Array(all[..<split]), Array(all[split...])])
            #expect(result?.response.status == 400, "split at \(split)")
            #expect(body(result) == #"{"error":"bad"}"#, "split at \(split)")
            #expect(result?.keepAlive == true, "split at \(split)")
        }
    }

    @Test func interimAnswersAreSkipped() throws {
        let result = try parse([bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")])
        #expect(result?.response.status == 200)
        #expect(body(result) == "ok")
    }

    @Test func connectionCloseAndHTTP10EndTheConnection() throws {
        let close = try parse([bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")])
        #expect(close?.keepAlive == false)
        let old = try parse([bytes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")])
        #expect(old?.keepAlive == false)
        let oldKept = try parse([bytes("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n")])
        #expect(oldKept?.keepAlive == true)
    }

    @Test func framingEdgeCases() throws {
        // Transfer-Encoding and Content-Length together: chunked frames it, the connection ends.
        let both = try parse([bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")])
        #expect(body(both) == "ok" && both?.keepAlive == false)
        // A coding other than chunked last: the body runs to the close.
        let gzip = try parse([bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc")])
        #expect(body(gzip) == "abc" && gzip?.keepAlive == false)
        // The same length given twice, in a list.
        #expect(body(try parse([bytes("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok")])) == "ok")
        // An empty Content-Length gives no length, before or after a real one.
        let emptyFirst = try parse([bytes("HTTP/1.1 200 OK\r\nContent-Length: \r\nContent-Length: 3\r\n\r\nabc")])
        #expect(body(emptyFirst) == "abc" && emptyFirst?.keepAlive == true)
        #expect(body(try parse([bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length:\r\n\r\nabc")])) == "abc")
        // An obsolete folded header continues the previous one.
        let folded = try parse([bytes("HTTP/1.1 200 OK\r\nX-Note: one\r\n  two\r\nContent-Length: 0\r\n\r\n")])
        #expect(folded?.response.header("x-note") == "one two")
        // "close" wins whatever else the header says.
        #expect(try parse([bytes("HTTP/1.0 200 OK\r\nConnection: close, keep-alive\r\nContent-Length: 0\r\n\r\n")])?.keepAlive == false)
        // A head past the parser's compaction point (16 KiB) in pieces.
        let long = "HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "v", count: 40_000) + "\r\nContent-Length: 2\r\n\r\nok"
        let pieces = stride(from: 0, to: long.utf8.count, by: 1000).map { Array(Array(long.utf8)[$0..<min($0 + 1000, long.utf8.count)]) }
        let parsed = try parse(pieces)
        #expect(body(parsed) == "ok" && parsed?.response.header("X-Long")?.count == 40_000)
        // An interim answer alone, then the close: the answer is broken, not missing.
        #expect(throws: TransportError.self) { try parse([bytes("HTTP/1.1 100 Continue\r\n\r\n")]) }
    }

    /// The headers are kept as bytes and read as text on demand: order, repeated names (the
    /// first wins for `header`), case, white space around values, folding, and what an
    /// interim answer carried is gone.
    @Test func headersReadAsTheyArrived() throws {
        let text = "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
            + "HTTP/1.1 429 Too Many Requests\r\nretry-after:\t7 \r\nX-Twice: first\r\nx-twice: second\r\n"
            + "X-Empty:\r\nX-Fold: a  \r\n\t b \r\n c\r\nTRANSFER-ENCODING: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
        let result = try #require(try parse([bytes(text)]))
        #expect(body(result) == "ok" && result.keepAlive, "an upper-case Chunked frames the body")
        let headers = result.response.headers
        #expect(headers.pairs.map(\.name) == ["retry-after", "X-Twice", "x-twice", "X-Empty", "X-Fold", "TRANSFER-ENCODING"])
        #expect(headers.pairs.map(\.value) == ["7", "first", "second", "", "a b c", "Chunked"])
        #expect(result.response.header("Retry-After") == "7")
        #expect(result.response.header("X-TWICE") == "first")
        #expect(result.response.header("x-interim") == nil)
        #expect(result.response.header("X-Twic") == nil && result.response.header("X-Twicee") == nil)
        // Letters match without case, other bytes only themselves ("[" is "{" with bit 5 cleared).
        let odd = try #require(try parse([bytes("HTTP/1.1 200 OK\r\nX-[a]: 1\r\nContent-Length: 0\r\n\r\n")]))
        #expect(odd.response.header("x-[A]") == "1" && odd.response.header("x-{a}") == nil)
        // The same fields given as text (another client's answer) read the same.
        let rebuilt = ResponseHeaders(headers.pairs)
        #expect(rebuilt.pairs.map(\.value) == headers.pairs.map(\.value) && rebuilt.value(named: "x-fold") == "a b c")
    }

    @Test func aBodyWithoutLengthRunsToTheClose() throws {
        let result = try parse([bytes("HTTP/1.1 500 Internal Server Error\r\n\r\npart one, "), bytes("part two")])
        #expect(result?.response.status == 500)
        #expect(body(result) == "part one, part two")
        #expect(result?.keepAlive == false)
    }

    @Test func answersWithoutBodies() throws {
        let noContent = try parse([bytes("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n")])
        #expect(noContent?.response.status == 204)
        #expect(noContent?.response.body.isEmpty == true)
        #expect(noContent?.keepAlive == true)
        let head = try parse([bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")], parser: HTTP1ResponseParser(bodyless: true))
        #expect(head?.response.body.isEmpty == true)
    }

    @Test func bytesAfterTheAnswerMakeTheConnectionUnusable() throws {
        let result = try parse([bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n")])
        #expect(body(result) == "ok")
        #expect(result?.keepAlive == false)
    }

    @Test func closingPartwayIsAnError() {
        #expect(throws: TransportError.self) {
            try parse([bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")])
        }
        #expect(throws: TransportError.self) {
            try parse([bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")])
        }
        #expect(throws: TransportError.self) { try parse([bytes("HTTP/1.1 200 OK\r\nContent-")]) }
        #expect((try? parse([])) == nil, "nothing at all is no answer, not a broken one")
    }

    @Test func malformedAnswersAreRefusedWithTheirReason() {
        let cases: [(String, String)] = [
            ("SMTP ready\r\n\r\n", "status line"),
            ("HTTP/1.1 2000 OK\r\n\r\n", "three-digit"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", "Content-Length"),
            ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "hexadecimal"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", "CRLF"),
            ("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "colon"),
            ("HTTP/1.1 101 Switching Protocols\r\n\r\n", "switched"),
            ("HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok", "white space"),
        ]
        for (text, reason) in cases {
            do {
                _ = try parse([bytes(text)])
                Issue.record("accepted: \(text.debugDescription)")
            } catch let error as TransportError {
                #expect(error.kind == .malformedResponse, "\(text.debugDescription): \(error)")
                #expect(error.detail.contains(reason), "\(text.debugDescription): \(error.detail)")
            } catch {
                Issue.record("not a TransportError: \(error)")
            }
        }
    }

    @Test func limitsBoundTheMemoryAnAnswerTakes() {
        let small = HTTP1ResponseParser(maxHeadBytes: 64, maxBodyBytes: 8)
        for text in ["HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n5\r\n",
                     "HTTP/1.1 200 OK\r\n\r\n123456789",
                     "HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "a", count: 100)] {
            #expect(throws: TransportError.self, "\(text.debugDescription)") { try parse([bytes(text)], parser: small) }
        }
    }
}

@Suite struct OriginTests {
    @Test func baseURLsSplitIntoOriginAndPath() throws {
        let sandbox = try #require(Origin("http://127.0.0.1:18790/pyze/"))
        #expect(sandbox.scheme == "http" && sandbox.host == "127.0.0.1" && sandbox.port == 18790 && sandbox.basePath == "/pyze")
        #expect(sandbox.hostHeader == "127.0.0.1:18790")
        let vendor = try #require(Origin("HTTPS://api.toplyne.io"))
        #expect(vendor.port == 443 && vendor.basePath == "" && vendor.hostHeader == "api.toplyne.io")
        #expect(vendor.prefix == "https://api.toplyne.io")
        let v6 = try #require(Origin("http://[::1]:8080/x?y=1"))
        #expect(v6.host == "::1" && v6.port == 8080 && v6.basePath == "/x" && v6.hostHeader == "[::1]:8080")
        #expect(Origin("http://user:pw@example.com/a")?.host == "example.com")
        #expect(Origin("http://example.com:80")?.hostHeader == "example.com")
        for bad in ["ftp://example.com", "example.com", "http://", "http://host:0", "http://host:99999", "http://[::1"] {
            #expect(Origin(bad) == nil, "\(bad)")
        }
    }
}
