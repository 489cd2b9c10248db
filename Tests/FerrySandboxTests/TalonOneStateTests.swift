import Testing
import FerryCore
import FerryVendors
@testable import FerrySandbox

@Suite struct TalonOneStateTests {
    static func event(session: String, profile: String?) -> [UInt8] {
        let profileMember = profile.map { #""profileId":"\#($0)","# } ?? ""
        return bytes(#"{\#(profileMember)"type":"viewed","attributes":{},"sessionId":"\#(session)"}"#)
    }

    @Test func anEventForASessionOfAnotherProfileIsAConflict() async throws {
        let sessions = try target("talonone.customer_sessions")
        let events = try target("talonone.events")
        try await withSandbox { server in
            let put = try await SandboxHTTP.send(sessions, on: server, path: "/v2/customer_sessions/S%201",
                                                 body: bytes(#"{"customerSession":{"profileId":"p1","state":"open"}}"#))
            #expect(put.status == 200)
            let conflict = try await SandboxHTTP.send(events, on: server, body: Self.event(session: "S 1", profile: "p2"))
            #expect(conflict.status == 409)
            #expect(conflict.json?.value(atPath: "message") == .string("the customer session S 1 belongs to another customer profile"))
            #expect(RejectionTests.isRejected(conflict.verdict(events)))
            #expect(try await SandboxHTTP.send(events, on: server, body: Self.event(session: "S 1", profile: "p1")).status == 200)
            // The first event creates an anonymous session; a profile's event for it conflicts.
            #expect(try await SandboxHTTP.send(events, on: server, body: Self.event(session: "S2", profile: nil)).status == 200)
            #expect(try await SandboxHTTP.send(events, on: server, body: Self.event(session: "S2", profile: "p3")).status == 409)
            #expect(try await SandboxHTTP.send(events, on: server, body: Self.event(session: "S2", profile: "")).status == 200)
            #expect(await server.ledger.records(for: events.name).count == 3)
            await server.reset()
            #expect(try await SandboxHTTP.send(events, on: server, body: Self.event(session: "S2", profile: "p3")).status == 200)
        }
    }

    @Test func theShippedSessionsAndEventsAgree() async throws {
        try await withSandbox { server in
            for directory in ["talonone.customer_sessions", "talonone.events"] {
                for shipped in try ShippedRequest.load(directory) {
                    let reply = try await SandboxHTTP.send(shipped.target, on: server, path: shipped.path, body: shipped.body)
                    #expect(reply.status == 200, "\(directory) \(shipped.path): \(reply.text)")
                }
            }
        }
    }

    @Test func otherMethodsOnAServedPathAre405() async throws {
        try await withSandbox { server in
            let toplyne = try await SandboxHTTP.send("GET", server.baseURL(for: Toplyne.userEvents) + Toplyne.userEvents.endpoint.path)
            #expect(toplyne.status == 405)
            #expect(toplyne.json?.value(atPath: "status") == .string("failure"))
            let netcore = try await SandboxHTTP.send("PUT", server.baseURL(for: Netcore.activities, region: "in") + Netcore.path)
            #expect(netcore.status == 405)
            #expect(netcore.json == jsonObject(["status": .string("error"), "message": .string("Method Not Allowed")]))
            if case .fatal = netcore.verdict(Netcore.activities) {} else { Issue.record("405 read as \(netcore.verdict(Netcore.activities))") }
        }
    }

    @Test func anUnknownForcedFaultIsRefused() async throws {
        let events = try target("toplyne.user_events")
        try await withSandbox { server in
            let reply = try await SandboxHTTP.send(events, on: server, body: FaultInjectionTests.event,
                                                   extraHeaders: [("X-Sandbox-Fault", "explode")])
            #expect(reply.status == 400)
            #expect(reply.text.contains("unknown X-Sandbox-Fault 'explode'"))
            #expect(await server.ledger.counts.isEmpty)
        }
    }
}

@Suite struct MultipartAndCSVTests {
    @Test func csvFieldsWithQuotesCommasAndLineBreaks() throws {
        let rows = try CSVText.rows(bytes("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\n1,,3"))
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["1", "", "3"]])
        #expect(rows.map(\.line) == [1, 2, 5])
        #expect(throws: MultipartError.self) { try CSVText.rows(bytes("a\n\"open")) }
        #expect(throws: MultipartError.self) { try CSVText.rows(bytes("\"a\"b\n")) }
    }

    @Test func multipartPartsByName() throws {
        let body = bytes("preamble\r\n--XYZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--XYZ\r\nContent-Disposition: form-data; name=\"upFile\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\nvalue\r\nA\r\n\r\n--XYZ--\r\n")
        let form = try MultipartForm(parsing: body, boundary: "XYZ")
        #expect(form.parts.map(\.name) == ["note", "upFile"])
        #expect(form.parts[1].fileName == "c.csv")
        #expect(form.parts[1].contentType == "text/csv")
        #expect(form.parts[1].body == bytes("value\r\nA\r\n"))
        #expect(MultipartForm.boundary(ofContentType: "multipart/form-data; boundary=\"XYZ\"") == "XYZ")
        #expect(MultipartForm.boundary(ofContentType: "multipart/form-data") == nil)
        #expect(throws: MultipartError.self) { try MultipartForm(parsing: bytes("--XYZ\r\n\r\nunterminated"), boundary: "XYZ") }
        #expect(throws: MultipartError.self) { try MultipartForm(parsing: bytes("no boundary here"), boundary: "XYZ") }
    }
}
