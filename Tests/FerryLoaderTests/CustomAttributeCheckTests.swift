import Foundation
import Testing
import FerryCore
import FerryMapping
import FerryVendors
@testable import FerryLoader

@Suite final class CustomAttributeCheckTests {
    static func attributesJSON(_ items: [(String, String, String)]) -> String {
        "{\"totalResultSize\":\(items.count),\"data\":[" + items.map {
            "{\"accountId\":22,\"entity\":\"\($0.0)\",\"name\":\"\($0.1)\",\"type\":\"\($0.2)\",\"editable\":true}"
        }.joined(separator: ",") + "]}"
    }

    @Test func fetchesEveryPageWithTheBearerToken() async throws {
        let all = [("Coupon", "channel", "string"), ("Coupon", "discountPercent", "number"), ("CartItem", "color", "string")]
        let server = try StubHTTPServer { seen in
            let skip = URLComponents(string: seen.uri)?.queryItems?.first { $0.name == "skip" }?.value.flatMap(Int.init) ?? 0
            return (200, Self.attributesJSON(Array(all.dropFirst(skip).prefix(2))))
        }
        defer { server.shutdown() }
        let url = try EndpointPolicy.check(server.baseURL)
        let attributes = try await AttributeFetcher.fetch(baseURL: url, authorization: "Bearer test-token", pageSize: 2)
        #expect(attributes.map(\.name) == ["channel", "discountPercent", "color"])
        #expect(server.requests.map(\.uri) == ["/v1/attributes?pageSize=2&skip=0", "/v1/attributes?pageSize=2&skip=2"])
        #expect(server.requests.allSatisfy { $0.authorization == "Bearer test-token" })
    }

    @Test func authenticationFailureSaysWhichVariable() async throws {
        let server = try StubHTTPServer { _ in (401, "{\"message\":\"unauthorized\"}") }
        defer { server.shutdown() }
        let url = try EndpointPolicy.check(server.baseURL)
        do {
            _ = try await AttributeFetcher.fetch(baseURL: url, authorization: "Bearer wrong")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "authentication failed (HTTP 401) reading the account's attributes; check the management credentials")
        }
    }

    @Test func credentialsComeFromTokenKeyOrALogin() async throws {
        let server = try StubHTTPServer { seen in
            guard seen.method == "POST", seen.uri == "/v1/sessions" else { return (404, "{}") }
            if seen.body.contains("\"password\":\"right\"") { return (201, "{\"created\":\"2016-01-18T22:00:49Z\",\"token\":\"zb8buj39cd\",\"userId\":81}") }
            return (401, "{\"message\":\"bad credentials\"}")
        }
        defer { server.shutdown() }
        let url = try EndpointPolicy.check(server.baseURL)
        #expect(try await ManagementCredentials.authorization(baseURL: url, environment: ["TALONONE_MANAGEMENT_TOKEN": "t1"]) == "Bearer t1")
        #expect(try await ManagementCredentials.authorization(baseURL: url, environment: ["TALONONE_MANAGEMENT_KEY": "k1"]) == "ManagementKey-v1 k1")
        let login = ["TALONONE_EMAIL": "ops@example.com", "TALONONE_PASSWORD": "right"]
        #expect(try await ManagementCredentials.authorization(baseURL: url, environment: login) == "Bearer zb8buj39cd")
        #expect(server.requests.last?.body == #"{"email":"ops@example.com","password":"right"}"#)
        // From a CRLF env file: the token loses its "\r", and so does the password (not its spaces).
        #expect(try await ManagementCredentials.authorization(baseURL: url, environment: ["TALONONE_MANAGEMENT_TOKEN": "t1\r"]) == "Bearer t1")
        let crlfLogin = ["TALONONE_EMAIL": "ops@example.com\r", "TALONONE_PASSWORD": "right\r"]
        #expect(try await ManagementCredentials.authorization(baseURL: url, environment: crlfLogin) == "Bearer zb8buj39cd")
        #expect(server.requests.last?.body == #"{"email":"ops@example.com","password":"right"}"#)
        do {
            _ = try await ManagementCredentials.authorization(baseURL: url, environment: ["TALONONE_EMAIL": "ops@example.com", "TALONONE_PASSWORD": "wrong"])
            Issue.record("expected the login to fail")
        } catch {
            #expect(error.message == "logging in to the management API failed (HTTP 401); check $TALONONE_EMAIL and $TALONONE_PASSWORD")
            #expect(!error.message.contains("wrong"))
        }
        do {
            _ = try await ManagementCredentials.authorization(baseURL: url, environment: [:])
            Issue.record("expected missing credentials")
        } catch {
            #expect(error.message.contains("$TALONONE_MANAGEMENT_TOKEN"))
        }
    }

    @Test func plainHTTPOnlyToLoopback() throws {
        #expect(throws: RemoteError.self) { _ = try EndpointPolicy.check("http://example.talon.one") }
        #expect(try EndpointPolicy.check("http://127.0.0.1:8080").host == "127.0.0.1")
        #expect(try EndpointPolicy.check("https://example.talon.one").host == "example.talon.one")
        #expect(try EndpointPolicy.check("http://example.talon.one", allowInsecureHTTP: true).scheme == "http")
    }

    @Test func comparesNamesAndTypesAtTheMappingsLines() throws {
        let yaml = """
        target: talonone.coupons_import
        fields:
          applicationId: { value: 1 }
          campaignId: { value: 2 }
          value: code
          attributes:
            fields:
              channel: channel
              discountPercent: { column: d, type: int }
              chanel_typo: c
              expires: { column: e, timestamp: iso8601 }
              color: x
        """
        let spec = try MappingFileParser.parse(yaml: yaml, file: "m.yaml")
        let target = try #require(TargetCatalog.target(named: "talonone.coupons_import"))
        let (mapped, globs) = CustomAttributeCheck.mappedAttributes(spec, target: target)
        #expect(globs.isEmpty)
        #expect(mapped.map(\.type) == ["string", "number", "string", "time", "string"])
        let account = [
            AccountAttribute(entity: "Coupon", name: "channel", type: "string"),
            AccountAttribute(entity: "Coupon", name: "discountPercent", type: "number"),
            AccountAttribute(entity: "Coupon", name: "chanel", type: "string"),
            AccountAttribute(entity: "Coupon", name: "expires", type: "string"),
            AccountAttribute(entity: "CartItem", name: "color", type: "string"),
        ]
        let problems = CustomAttributeCheck.compare(mapped, with: account, file: "m.yaml").map(\.description)
        #expect(problems == [
            "m.yaml:10:7: error: the account defines no Coupon attribute 'chanel_typo'; did you mean 'chanel'?",
            "m.yaml:11:7: error: Coupon attribute 'expires' is string in the account, but the mapping makes time",
            "m.yaml:12:7: error: the account defines no Coupon attribute 'color' (it exists for CartItem)",
        ])
    }
}

@Suite struct CustomAttributeScopeTests {
    /// Session attributes sit under customerSession, cart item attributes inside each_row.
    @Test func sessionAndCartItemAttributesAreFound() throws {
        let spec = try MappingFileParser.parse(contentsOf: CustomAttributeScopeTests.repo("mappings/talonone/customer_sessions.yaml"))
        let target = try #require(TargetCatalog.target(named: "talonone.customer_sessions"))
        let (mapped, _) = CustomAttributeCheck.mappedAttributes(spec, target: target)
        #expect(mapped.filter { $0.entity == "CustomerSession" }.map(\.name) == ["Channel", "OrderedAt", "ItemCount"])
        #expect(mapped.filter { $0.entity == "CustomerSession" }.map(\.type) == ["string", "time", "number"])
        let withItems = try MappingFileParser.parse(yaml: """
        target: talonone.customer_sessions
        group_by: [s]
        fields:
          customerSessionId: s
          customerSession:
            fields:
              cartItems:
                each_row:
                  fields:
                    sku: sku
                    quantity: { column: q, type: int }
                    attributes:
                      fields:
                        color: color
                        weight: { column: w, type: float }
        """, file: "m.yaml")
        let items = CustomAttributeCheck.mappedAttributes(withItems, target: target).attributes
        #expect(items.map { "\($0.entity).\($0.name):\($0.type ?? "?")" } == ["CartItem.color:string", "CartItem.weight:number"])
    }

    static func repo(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(path).path
    }
}
