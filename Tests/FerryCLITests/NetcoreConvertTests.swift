import Foundation
import Testing

/// `ferry convert` output for the shipped Netcore samples, read back and checked against the
/// input (ShippedMappingsTests compares the bytes with hand-checked fixtures): times keep the source's
/// offset (+05:30 stays +05:30, Z stays Z, epoch milliseconds become UTC), absent members are
/// left out, numbers keep the types the mapping gives them, and purchases are grouped into one
/// activity per order with an items array.
@Suite struct NetcoreConvertTests {
    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-netcore-convert")
    }

    /// `-o /dev/null` is a stream of records (for measuring), not a directory to create; a
    /// named pipe likewise receives the records as lines.
    @Test func devicesAndPipesTakeRecordLines() throws {
        let null = try CLIRunner.run(["convert", "-m", "mappings/netcore/activities.yaml",
                                      "samples/netcore/activities.ndjson", "-o", "/dev/null"])
        #expect(null.status == 0, "convert: \(null.stderr)")
        let pipe = directory.appendingPathComponent("records.pipe").path
        #expect(mkfifo(pipe, 0o600) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [pipe]
        let output = Pipe()
        reader.standardOutput = output
        try reader.run()
        let result = try CLIRunner.run(["convert", "-m", "mappings/netcore/activities.yaml",
                                        "samples/netcore/activities.ndjson", "-o", pipe])
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reader.waitUntilExit()
        #expect(result.status == 0, "convert: \(result.stderr)")
        let input = try String(contentsOf: CLIRunner.repoRoot.appendingPathComponent("samples/netcore/activities.ndjson"), encoding: .utf8)
        #expect(text.split(separator: "\n").count == input.split(separator: "\n").count)
        #expect(text.hasPrefix("{\"activity_name\":"))
    }

    /// The activities sample, read back from the request: one activity per input line, identity
    /// and annonid exactly where the source has them, the platform mapped to web or app.
    @Test func activitiesCarryIdentityAnnonidAndSourceAsTheInputSays() throws {
        let out = directory.appendingPathComponent("out-check")
        let result = try CLIRunner.run(["convert", "-m", "mappings/netcore/activities.yaml",
                                        "samples/netcore/activities.ndjson", "-o", out.path])
        #expect(result.status == 0, "convert: \(result.stderr)")
        let body = try Data(contentsOf: out.appendingPathComponent("request-000001.json"))
        let activities = try #require(try JSONSerialization.jsonObject(with: body) as? [[String: Any]])
        let input = try String(contentsOf: CLIRunner.repoRoot.appendingPathComponent("samples/netcore/activities.ndjson"), encoding: .utf8)
        let rows = try input.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(activities.count == rows.count)
        var identityOnly = 0, annonidOnly = 0, offsets = 0
        for (activity, row) in zip(activities, rows) {
            let user = row["user"] as? [String: Any] ?? [:]
            #expect(activity["identity"] as? String == user["id"] as? String)
            #expect(activity["annonid"] as? String == user["anon_id"] as? String)
            if activity["annonid"] == nil { identityOnly += 1 }
            if activity["identity"] == nil { annonidOnly += 1 }
            let platform = (row["device"] as? [String: Any])?["platform"] as? String
            #expect(activity["activity_source"] as? String == (platform == "ios" || platform == "android" ? "app" : "web"))
            #expect(activity["timestamp"] as? String == row["occurred_at"] as? String, "the offset is kept")
            if (activity["timestamp"] as? String)?.hasSuffix("+05:30") == true { offsets += 1 }
        }
        #expect(identityOnly > 0 && annonidOnly > 0, "the sample has both kinds of contact")
        #expect(offsets > 0)
    }

    /// The purchases sample: 61 order lines, rows of an order consecutive, become 24 Purchase
    /// activities whose items, counts and sums come from the order's rows.
    @Test func purchasesAreOneActivityPerOrder() throws {
        let out = directory.appendingPathComponent("out-orders")
        let report = directory.appendingPathComponent("orders-report.json")
        let result = try CLIRunner.run(["convert", "-m", "mappings/netcore/purchases.yaml",
                                        "samples/netcore/purchases.csv.gz", "-o", out.path, "--report", report.path])
        #expect(result.status == 0, "convert: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let totals = try #require(json["totals"] as? [String: Int])
        #expect(totals["read"] == 61)
        #expect(totals["invalid"] == 0)
        let body = try Data(contentsOf: out.appendingPathComponent("request-000001.json"))
        let activities = try #require(try JSONSerialization.jsonObject(with: body) as? [[String: Any]])
        #expect(activities.count == 24)
        var orders = Set<String>()
        var lines = 0
        for activity in activities {
            #expect(activity["activity_name"] as? String == "Purchase")
            #expect(activity["asset_id"] as? String == "sdbsjdh623jhmsndbkfs")
            let params = try #require(activity["activity_params"] as? [String: Any])
            let items = try #require(params["items"] as? [[String: Any]])
            #expect((1...4).contains(items.count))
            #expect(params["item_count"] as? Int == items.count)
            #expect(params["total_item_qty"] as? Int == items.compactMap { $0["quantity"] as? Int }.reduce(0, +))
            orders.insert(try #require(params["order_id"] as? String))
            lines += items.count
        }
        #expect(orders.count == 24, "each order once")
        #expect(lines == 61, "every order line is an item")
    }
}
