import Foundation
import Testing
import FerryCore
@testable import FerryLoader

/// Grouped mappings (`group_order: consecutive`) mapped in blocks that end where a group
/// ends must give exactly what grouping row by row on the reading thread gives.
extension ParallelMappingTests {
    /// Order lines of every kind: groups of one to six rows, filtered rows inside and between
    /// groups (one with another order's key), a quantity that is not a number (the group is
    /// invalid), a bad timestamp on a group's first row (invalid) or a later one (ignored),
    /// unreadable rows, quoted line breaks, and now and then a key that comes back.
    /// `reversed` writes the columns in the other order; `first` starts with that order's row;
    /// `bigOrderAt` makes that order 80 rows long.
    static func mixedOrders(orders: Int, seed: Int, reversed: Bool = false, first: String? = nil,
                            bigOrderAt: Int? = nil) -> String {
        var text = reversed ? "qty,sku,at,customer,order_id\n" : "order_id,customer,at,sku,qty\n"
        func add(_ fields: [String]) {
            text += (reversed && fields.count == 5 ? fields.reversed() : fields).joined(separator: ",") + "\n"
        }
        if let first { add([first, "c0", "2024-01-01T10:00:00Z", "S0", "1"]) }
        for order in 0..<orders {
            let id = "O\(seed)-\(order)"
            let lines = order == bigOrderAt ? 80 : (order * 5 + seed) % 6 + 1
            for line in 0..<lines {
                var fields = [id, "c\(order % 50)", "2024-01-0\(order % 9 + 1)T10:00:00Z", "S\(line)", "\(line + 1)"]
                switch (order * 7 + line * 3 + seed) % 31 {
                case 0: fields[3] = "SKIP"                          // filtered
                case 1: fields[4] = "x"                             // not a number: the group is invalid
                case 2: fields.append("extra")                      // cannot be read (field count)
                case 3: fields[3] = "\"multi\nline, sku\""          // a quoted line break
                case 4: fields[2] = "soon"                          // invalid on a group's first row only
                case 5: fields[0] = "ZZ-\(order)"; fields[3] = "SKIP"   // filtered, with another key
                default: break
                }
                add(fields)
            }
            if order % 97 == 13, order > 5 {
                add(["O\(seed)-\(order - 5)", "c1", "2024-01-01T10:00:00Z", "S9", "1"])   // comes back
            }
        }
        return text
    }

    @Test func groupedBlocksGiveTheSerialOutcome() throws {
        let mappingPath = try write("orders.yaml", ordersMapping)
        let a = try write("orders-a.csv", Self.mixedOrders(orders: 2500, seed: 1))
        let empty = try write("orders-empty.csv", "order_id,customer,at,sku,qty\n")
        // Starts with the key of a's last order: a group does not continue into the next file.
        let b = try write("orders-b.csv", Self.mixedOrders(orders: 400, seed: 2, reversed: true, first: "O1-2499"))
        for keepRows in [false, true] {
            let serial = try run(mappingPath: mappingPath, inputs: [a, empty, b], threads: 1, rowsPerBlock: 2048,
                                 batchSize: 50, keepRows: keepRows)
            #expect(serial.counts.allSatisfy { $0[0] == $0[1] + $0[2] + $0[3] })
            #expect(serial.errors.keys.sorted() == ["field_count", "group_reopened", "invalid_timestamp", "invalid_type"])
            #expect(serial.deadLetters.contains("order_id=O1-2499 comes back at line 2 after its group ended"))
            #expect(serial.records.count > 1500)
            #expect(keepRows == !serial.kept.isEmpty)
            for (threads, rowsPerBlock) in Self.settings.dropFirst() {
                let parallel = try run(mappingPath: mappingPath, inputs: [a, empty, b], threads: threads,
                                       rowsPerBlock: rowsPerBlock, batchSize: 50, keepRows: keepRows)
                #expect(parallel == serial, "threads \(threads), \(rowsPerBlock) rows per block, keep rows \(keepRows)")
            }
        }
    }

    /// Keys told apart without Strings in blocks (`RecordMapper.sameGroupKey`) must group as
    /// the row-by-row path, which compares key Strings: "é" written precomposed (C3 A9) and
    /// decomposed (65 CC 81) is one key, as are equal non-ASCII keys; ASCII keys that differ
    /// only in case or length are not; a two-column key joins its parts.
    @Test func keysThatDifferAsBytesGroupAsTheirText() throws {
        let single = try write("by-name.yaml", ordersMapping)
        let joined = try write("by-two.yaml", ordersMapping.replacingOccurrences(of: "group_by: [order_id]",
                                                                                 with: "group_by: [order_id, customer]"))
        var text = "order_id,customer,at,sku,qty\n"
        let names = ["caf\u{E9}", "cafe\u{301}", "caf\u{E9}", "Caf\u{E9}", "A", "a", "a", "ab", "中文", "中文", "ü", "u\u{308}"]
        for (index, name) in names.enumerated() {
            for line in 0..<(index % 3 + 1) {
                text += "\(name),c,2024-01-01T10:00:00Z,S\(line),\(line + 1)\n"
            }
        }
        let input = try write("names.csv", text)
        // Groups by the name alone: café ×3 spellings, Café, A, a ×2, ab, 中文 ×2, ü ×2. By name
        // and customer (the same on every row): the same groups, through the joined keys.
        for mapping in [single, joined] {
            let serial = try run(mappingPath: mapping, inputs: [input], threads: 1, rowsPerBlock: 2048)
            #expect(serial.recordCount == 7, "\(mapping)")
            #expect(serial.errors.isEmpty, "\(mapping)")
            for (threads, rowsPerBlock) in Self.settings.dropFirst() {
                #expect(try run(mappingPath: mapping, inputs: [input], threads: threads, rowsPerBlock: rowsPerBlock) == serial,
                        "\(mapping), threads \(threads), \(rowsPerBlock) rows per block")
            }
        }
    }

    @Test func groupedLimitAndInvalidBudgetStopAtTheSameRow() throws {
        let mappingPath = try write("orders.yaml", ordersMapping)
        let a = try write("orders-a.csv", Self.mixedOrders(orders: 600, seed: 3))
        let b = try write("orders-b.csv", Self.mixedOrders(orders: 200, seed: 4))
        for limit in [0, 1, 1000, 2300] {
            let serial = try run(mappingPath: mappingPath, inputs: [a, b], threads: 1, rowsPerBlock: 2048, limit: limit)
            #expect(serial.counts.map { $0[0] }.reduce(0, +) == limit)
            for (threads, rowsPerBlock) in Self.settings.dropFirst() {
                #expect(try run(mappingPath: mappingPath, inputs: [a, b], threads: threads, rowsPerBlock: rowsPerBlock,
                                limit: limit) == serial, "limit \(limit), threads \(threads), \(rowsPerBlock) per block")
            }
        }
        for budget in [InvalidBudget.count(0), .count(30), .count(200)] {
            let serial = try run(mappingPath: mappingPath, inputs: [a, b], threads: 1, rowsPerBlock: 2048, maxInvalid: budget)
            #expect(serial.invalidBudgetExceeded)
            // The group being read when the budget ran out is not mapped, and its rows are not counted.
            #expect(serial.counts.allSatisfy { $0[0] == $0[1] + $0[2] + $0[3] })
            for (threads, rowsPerBlock) in Self.settings.dropFirst() {
                #expect(try run(mappingPath: mappingPath, inputs: [a, b], threads: threads, rowsPerBlock: rowsPerBlock,
                                maxInvalid: budget) == serial, "--max-invalid \(budget), threads \(threads), \(rowsPerBlock) per block")
            }
        }
    }

    /// Key fields with different bytes that read as the same key (two null values) are one
    /// group, in every setting.
    @Test func keysThatReadAlikeFormOneGroup() throws {
        let mappingPath = try write("orders-nulls.yaml", ordersMapping.replacingOccurrences(
            of: "group_by: [order_id]", with: "source:\n  null_values: [\"\", \"NULL\", \"-\"]\ngroup_by: [order_id]"))
        var text = "order_id,customer,at,sku,qty\n"
        for (index, id) in ["A", "A", "NULL", "", "-", "B", "-", "NULL"].enumerated() {
            text += "\(id),c,2024-01-01T10:00:00Z,S\(index),1\n"
        }
        let input = try write("nulls.csv", text)
        for (threads, rowsPerBlock) in Self.settings {
            let outcome = try run(mappingPath: mappingPath, inputs: [input], threads: threads, rowsPerBlock: rowsPerBlock)
            // A (2 rows), the null key (3 rows), B, then the null key comes back (2 rows invalid).
            #expect(outcome.records.map(\.rows) == [2, 3, 1], "threads \(threads), \(rowsPerBlock) per block")
            #expect(outcome.counts == [[8, 0, 2, 6]], "threads \(threads), \(rowsPerBlock) per block")
        }
    }

    /// When the budget runs out inside a group, that group is not mapped (a partial order must
    /// not go out as if whole) and its rows already read are not counted, in every setting.
    @Test func aGroupCutShortByTheInvalidBudgetIsNotMapped() throws {
        let mappingPath = try write("orders.yaml", ordersMapping)
        let input = try write("cut-short.csv", """
        order_id,customer,at,sku,qty
        Z,c0,2024-01-01T10:00:00Z,S1,1
        A,c1,2024-01-01T10:00:00Z,S1,1
        A,c1,2024-01-01T10:00:00Z,S2,2
        A,c1,2024-01-01T10:00:00Z,S3,3,extra
        A,c1,2024-01-01T10:00:00Z,S4,4
        B,c2,2024-01-02T10:00:00Z,S1,1

        """)
        for (threads, rowsPerBlock) in Self.settings {
            let outcome = try run(mappingPath: mappingPath, inputs: [input], threads: threads, rowsPerBlock: rowsPerBlock,
                                  maxInvalid: .count(0))
            #expect(outcome.invalidBudgetExceeded)
            // Read: Z (valid, sent) and the unreadable row; A's two rows before it are dropped.
            #expect(outcome.counts == [[2, 0, 1, 1]], "threads \(threads), \(rowsPerBlock) per block")
            #expect(outcome.records.map(\.line) == [2], "threads \(threads), \(rowsPerBlock) per block")
        }
    }

    /// A group larger than a block may hold sends the rest of its file to the row-by-row
    /// grouping, which finds it too large (`group_too_large`), as it does serially.
    @Test func aGroupTooLargeForABlockIsGroupedRowByRow() throws {
        let mappingPath = try write("orders.yaml", ordersMapping)
        let a = try write("orders-a.csv", Self.mixedOrders(orders: 300, seed: 5, bigOrderAt: 150))
        let b = try write("orders-b.csv", Self.mixedOrders(orders: 100, seed: 6))
        let serial = try run(mappingPath: mappingPath, inputs: [a, b], threads: 1, rowsPerBlock: 2048, groupLimit: 4000)
        #expect(serial.errors["group_too_large"] != nil)
        #expect(serial.counts.allSatisfy { $0[0] == $0[1] + $0[2] + $0[3] })
        for (threads, rowsPerBlock) in Self.settings.dropFirst() {
            #expect(try run(mappingPath: mappingPath, inputs: [a, b], threads: threads, rowsPerBlock: rowsPerBlock,
                            groupLimit: 4000) == serial, "threads \(threads), \(rowsPerBlock) per block")
        }
    }

    /// The shipped grouped mapping not among the CSV pairs above (those hold two grouped ones).
    @Test func shippedGroupedPairGivesTheSerialOutcome() throws {
        try checkShipped([("netcore/purchases.yaml", "netcore/purchases.csv.gz")])
    }
}
