import Foundation
import Testing
@testable import FerryCore

@Suite struct TimeZoneRulesTests {
    func zone(_ name: String) throws -> TimeZoneRules {
        try TimeZoneRules.named(name)
    }

    /// Local wall-clock seconds of "YYYY-MM-DDTHH:MM:SS" (no offset), as if UTC.
    func local(_ text: String) throws -> Int64 {
        try TimestampParser(format: .iso8601).parse(text).seconds
    }

    func resolve(_ zoneName: String, _ localText: String) throws -> (utc: Int64, offset: Int32) {
        let r = try zone(zoneName).resolve(localSeconds: try local(localText))
        return (r.utcSeconds, r.offset)
    }

    func zoneError(_ name: String) -> String? {
        do {
            _ = try TimeZoneRules.named(name)
            return nil
        } catch {
            return error.message
        }
    }

    // MARK: Lookup

    @Test func utcNamesNeedNoFile() throws {
        for name in ["UTC", "Etc/UTC", "GMT", "Z", "utc", "z"] {
            let rules = try TimeZoneRules.load(name, directory: "/nonexistent-zoneinfo")
            #expect(rules.isUTC)
            #expect(rules.offset(atUTC: 1_706_693_400) == 0)
            #expect(rules.resolve(localSeconds: 1_706_693_400) == (1_706_693_400, 0))
        }
        #expect(try zone("UTC").name == "UTC")
    }

    @Test func unknownZones() {
        #expect(zoneError("America/New_Yrok") == "unknown time zone 'America/New_Yrok' (did you mean America/New_York?)")
        #if os(Linux)   // file names are case-sensitive here, so the wrong case is an unknown zone
        #expect(zoneError("america/new_york") == "unknown time zone 'america/new_york' (did you mean America/New_York?)")
        #endif
        let far = zoneError("Nowhere/Atlantis")
        #expect(far?.hasPrefix("unknown time zone 'Nowhere/Atlantis'") == true)
        #expect(far?.contains("America/New_York") == true)   // the hint names an example
        for name in ["../../etc/passwd", "/etc/localtime", "America/../Europe/Berlin", "", "America", "zone.tab", "America/New_York\0"] {
            #expect(zoneError(name) != nil, "\(name)")
        }
        #expect(zoneError("/etc/localtime")?.contains("unknown time zone '/etc/localtime'") == true)
    }

    @Test func zonesAreCachedAndSharedAcrossTasks() async throws {
        let first = try zone("Europe/Berlin")
        #expect(try zone("Europe/Berlin") === first)
        let all = await withTaskGroup(of: ObjectIdentifier?.self) { group in
            for _ in 0..<32 {
                group.addTask { (try? TimeZoneRules.named("Asia/Tokyo")).map(ObjectIdentifier.init) }
            }
            var ids: [ObjectIdentifier?] = []
            for await id in group { ids.append(id) }
            return ids
        }
        #expect(all.count == 32)
        #expect(Set(all.compactMap { $0 }).count == 1)
    }

    @Test func zoneDirectoryCanBeChosen() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Test"), withIntermediateDirectories: true)
        let bytes = TZifBuilder.build(types: [(-18_000, false)], transitions: [], footer: "EST5EDT,M3.2.0,M11.1.0")
        try Data(bytes).write(to: dir.appendingPathComponent("Test/Eastern"))
        let rules = try TimeZoneRules.load("Test/Eastern", directory: dir.path)
        #expect(rules.offset(atUTC: TimeTest.utc(2024, 7, 1)) == -14_400)
        #expect(throws: TimestampFormatError.self) { try TimeZoneRules.load("Test/Missing", directory: dir.path) }
    }

    // MARK: DST gaps and overlaps

    @Test func newYork() throws {
        let ny = try zone("America/New_York")
        #expect(ny.offset(atUTC: TimeTest.utc(2024, 1, 15)) == -18_000)
        #expect(ny.offset(atUTC: TimeTest.utc(2024, 7, 15)) == -14_400)
        // Spring forward 2024-03-10 at 02:00 EST (07:00Z).
        #expect(ny.offset(atUTC: TimeTest.utc(2024, 3, 10, 6, 59, 59)) == -18_000)
        #expect(ny.offset(atUTC: TimeTest.utc(2024, 3, 10, 7)) == -14_400)
        #expect(try resolve("America/New_York", "2024-03-10T01:59:59") == (try TimeTest.instant("2024-03-10T01:59:59-05:00"), -18_000))
        #expect(try resolve("America/New_York", "2024-03-10T02:00:00") == (try TimeTest.instant("2024-03-10T03:00:00-04:00"), -14_400))
        #expect(try resolve("America/New_York", "2024-03-10T02:30:00") == (try TimeTest.instant("2024-03-10T03:30:00-04:00"), -14_400))
        #expect(try resolve("America/New_York", "2024-03-10T02:59:59") == (try TimeTest.instant("2024-03-10T03:59:59-04:00"), -14_400))
        #expect(try resolve("America/New_York", "2024-03-10T03:00:00") == (try TimeTest.instant("2024-03-10T03:00:00-04:00"), -14_400))
        // Fall back 2024-11-03 at 02:00 EDT (06:00Z): 01:00-01:59:59 happen twice; the earlier (EDT) wins.
        #expect(try resolve("America/New_York", "2024-11-03T00:59:59") == (try TimeTest.instant("2024-11-03T00:59:59-04:00"), -14_400))
        #expect(try resolve("America/New_York", "2024-11-03T01:00:00") == (try TimeTest.instant("2024-11-03T01:00:00-04:00"), -14_400))
        #expect(try resolve("America/New_York", "2024-11-03T01:30:00") == (try TimeTest.instant("2024-11-03T01:30:00-04:00"), -14_400))
        #expect(try resolve("America/New_York", "2024-11-03T01:59:59") == (try TimeTest.instant("2024-11-03T01:59:59-04:00"), -14_400))
        #expect(try resolve("America/New_York", "2024-11-03T02:00:00") == (try TimeTest.instant("2024-11-03T02:00:00-05:00"), -18_000))
        #expect(ny.offset(atUTC: try TimeTest.instant("2024-11-03T01:30:00-05:00")) == -18_000)
    }

    @Test func berlin() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(berlin.offset(atUTC: TimeTest.utc(2024, 1, 15)) == 3600)
        #expect(berlin.offset(atUTC: TimeTest.utc(2024, 7, 15)) == 7200)
        // Spring forward 2024-03-31 02:00 CET -> 03:00 CEST.
        #expect(try resolve("Europe/Berlin", "2024-03-31T01:59:59") == (try TimeTest.instant("2024-03-31T01:59:59+01:00"), 3600))
        #expect(try resolve("Europe/Berlin", "2024-03-31T02:30:00") == (try TimeTest.instant("2024-03-31T03:30:00+02:00"), 7200))
        #expect(try resolve("Europe/Berlin", "2024-03-31T03:00:00") == (try TimeTest.instant("2024-03-31T03:00:00+02:00"), 7200))
        // Fall back 2024-10-27 03:00 CEST -> 02:00 CET.
        #expect(try resolve("Europe/Berlin", "2024-10-27T02:30:00") == (try TimeTest.instant("2024-10-27T02:30:00+02:00"), 7200))
        #expect(try resolve("Europe/Berlin", "2024-10-27T03:00:00") == (try TimeTest.instant("2024-10-27T03:00:00+01:00"), 3600))
        #expect(try resolve("Europe/Berlin", "2024-10-27T01:59:59") == (try TimeTest.instant("2024-10-27T01:59:59+02:00"), 7200))
    }

    @Test func sydney() throws {
        let sydney = try zone("Australia/Sydney")
        // Southern hemisphere: daylight time in January, standard in July.
        #expect(sydney.offset(atUTC: TimeTest.utc(2024, 1, 15)) == 39_600)
        #expect(sydney.offset(atUTC: TimeTest.utc(2024, 7, 15)) == 36_000)
        // Spring forward 2024-10-06 02:00 AEST -> 03:00 AEDT.
        #expect(try resolve("Australia/Sydney", "2024-10-06T02:30:00") == (try TimeTest.instant("2024-10-06T03:30:00+11:00"), 39_600))
        #expect(try resolve("Australia/Sydney", "2024-10-06T01:59:00") == (try TimeTest.instant("2024-10-06T01:59:00+10:00"), 36_000))
        // Fall back 2024-04-07 03:00 AEDT -> 02:00 AEST.
        #expect(try resolve("Australia/Sydney", "2024-04-07T02:30:00") == (try TimeTest.instant("2024-04-07T02:30:00+11:00"), 39_600))
        #expect(try resolve("Australia/Sydney", "2024-04-07T03:00:00") == (try TimeTest.instant("2024-04-07T03:00:00+10:00"), 36_000))
        // Across New Year the daylight period continues.
        #expect(sydney.offset(atUTC: TimeTest.utc(2024, 12, 31, 23)) == 39_600)
    }

    @Test func kolkataHasNoDaylightTime() throws {
        let kolkata = try zone("Asia/Kolkata")
        for month in 1...12 {
            #expect(kolkata.offset(atUTC: TimeTest.utc(2024, month, 15)) == 19_800)
        }
        #expect(try resolve("Asia/Kolkata", "2024-03-10T02:30:00") == (try TimeTest.instant("2024-03-10T02:30:00+05:30"), 19_800))
        // War time: +06:30 in 1943.
        #expect(kolkata.offset(atUTC: TimeTest.utc(1943, 6, 1)) == 23_400)
        // After the last transition the footer "<+0530>-5:30" (or "IST-5:30") holds.
        #expect(kolkata.offset(atUTC: TimeTest.utc(2150, 6, 1)) == 19_800)
        #expect(try resolve("Asia/Kolkata", "2150-06-01T00:00:00") == (try TimeTest.instant("2150-06-01T00:00:00+05:30"), 19_800))
    }

    @Test func historicalChanges() throws {
        // São Paulo dropped daylight time in 2019; it used to spring forward at midnight.
        let saoPaulo = try zone("America/Sao_Paulo")
        #expect(saoPaulo.offset(atUTC: TimeTest.utc(2018, 12, 15)) == -7200)
        #expect(saoPaulo.offset(atUTC: TimeTest.utc(2019, 12, 15)) == -10_800)
        #expect(saoPaulo.offset(atUTC: TimeTest.utc(2150, 12, 15)) == -10_800)
        #expect(try resolve("America/Sao_Paulo", "2018-11-04T00:30:00") == (try TimeTest.instant("2018-11-04T01:30:00-02:00"), -7200))
        // Moscow: permanent +04 from 2011, +03 since 2014-10-26.
        let moscow = try zone("Europe/Moscow")
        #expect(moscow.offset(atUTC: TimeTest.utc(2010, 1, 15)) == 10_800)
        #expect(moscow.offset(atUTC: TimeTest.utc(2010, 7, 15)) == 14_400)
        #expect(moscow.offset(atUTC: TimeTest.utc(2012, 1, 15)) == 14_400)
        #expect(moscow.offset(atUTC: TimeTest.utc(2015, 7, 15)) == 10_800)
        // 2014-10-26 02:00 MSK (+04) -> 01:00 (+03): 01:30 is ambiguous, the earlier (+04) wins.
        #expect(try resolve("Europe/Moscow", "2014-10-26T01:30:00") == (try TimeTest.instant("2014-10-26T01:30:00+04:00"), 14_400))
        // New York before standard time (1883): local mean time, -4:56:02.
        let ny = try zone("America/New_York")
        #expect(ny.offset(atUTC: TimeTest.utc(1880, 1, 1)) == -17_762)
    }

    // MARK: After the last TZif transition: the POSIX footer

    @Test func yearsAfterTheTableUseTheFooter() throws {
        let ny = try zone("America/New_York")
        // 2100: second Sunday of March is the 14th, first Sunday of November the 7th.
        #expect(ny.offset(atUTC: TimeTest.utc(2100, 1, 15)) == -18_000)
        #expect(ny.offset(atUTC: TimeTest.utc(2100, 7, 15)) == -14_400)
        #expect(ny.offset(atUTC: try TimeTest.instant("2100-03-14T06:59:59Z")) == -18_000)
        #expect(ny.offset(atUTC: try TimeTest.instant("2100-03-14T07:00:00Z")) == -14_400)
        #expect(ny.offset(atUTC: try TimeTest.instant("2100-11-07T05:59:59Z")) == -14_400)
        #expect(ny.offset(atUTC: try TimeTest.instant("2100-11-07T06:00:00Z")) == -18_000)
        #expect(try resolve("America/New_York", "2100-03-14T02:30:00") == (try TimeTest.instant("2100-03-14T03:30:00-04:00"), -14_400))
        #expect(try resolve("America/New_York", "2100-11-07T01:30:00") == (try TimeTest.instant("2100-11-07T01:30:00-04:00"), -14_400))
        #expect(try resolve("America/New_York", "2100-11-07T02:00:00") == (try TimeTest.instant("2100-11-07T02:00:00-05:00"), -18_000))
        #expect(try resolve("America/New_York", "2500-07-04T12:00:00") == (try TimeTest.instant("2500-07-04T12:00:00-04:00"), -14_400))

        let sydney = try zone("Australia/Sydney")
        #expect(sydney.offset(atUTC: TimeTest.utc(2150, 1, 1)) == 39_600)
        #expect(sydney.offset(atUTC: TimeTest.utc(2150, 7, 1)) == 36_000)
        #expect(try resolve("Australia/Sydney", "2150-10-04T02:30:00") == (try TimeTest.instant("2150-10-04T03:30:00+11:00"), 39_600))
        #expect(try resolve("Australia/Sydney", "2150-04-05T02:30:00") == (try TimeTest.instant("2150-04-05T02:30:00+11:00"), 39_600))

        let berlin = try zone("Europe/Berlin")
        #expect(try resolve("Europe/Berlin", "2100-03-28T02:30:00") == (try TimeTest.instant("2100-03-28T03:30:00+02:00"), 7200))
        #expect(try resolve("Europe/Berlin", "2100-10-31T02:30:00") == (try TimeTest.instant("2100-10-31T02:30:00+02:00"), 7200))
        #expect(berlin.offset(atUTC: CivilCalendar.maximumSeconds) == 3600)
        #expect(berlin.offset(atUTC: Int64.max) == 3600 || berlin.offset(atUTC: Int64.max) == 7200)
        _ = berlin.resolve(localSeconds: Int64.min)
    }

    @Test func expandedTableAgreesWithTheFooterRule() throws {
        // The table is extended from the footer to 2100; evaluating the rule directly must agree.
        for name in ["America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Santiago", "Europe/Dublin"] {
            let rules = try zone(name)
            let path = TimeZoneRules.zoneDirectory + "/" + name
            let file = try TZifFile(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            let footer = try #require(file.footer)
            let start = try #require(file.transitions.last) + 1
            var u = start
            while u < TimeTest.utc(2101, 1, 1) {
                #expect(rules.offset(atUTC: u) == footer.offset(atUTC: u), "\(name) at \(u)")
                u += 86_400 * 3 + 3607
            }
        }
    }

    /// Every zone on the system loads, and around each of its transitions 1900-2100
    /// resolve(localSeconds:) agrees with a brute-force reading of the transition table:
    /// the earliest instant whose local time matches, or for a gap the time moved forward.
    @Test func everySystemZoneLoadsAndResolvesLikeBruteForce() throws {
        let directory = TimeZoneRules.zoneDirectory
        let enumerator = try #require(FileManager.default.enumerator(atPath: directory))
        var names: [String] = []
        while let entry = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard !entry.hasPrefix("posix"), !entry.hasPrefix("right"), !entry.contains("."),
                  FileManager.default.fileExists(atPath: directory + "/" + entry, isDirectory: &isDirectory),
                  !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: directory + "/" + entry) else { continue }
            if data.starts(with: Data("TZif".utf8)) { names.append(entry) }
        }
        #expect(names.count > 300)
        let low = TimeTest.utc(1900, 1, 1)
        let high = TimeTest.utc(2100, 1, 1)
        var checked = 0
        for name in names.sorted() {
            let rules = try TimeZoneRules.named(name)
            // The transition table as (instant, offset after), recovered through offset(atUTC:).
            let file = try TZifFile(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))))
            var table = file
            table.extend(throughYearBefore: TimeZoneRules.tableEndYear)
            let transitions = table.transitions
            for (i, at) in transitions.enumerated() where at > low && at < high {
                let before = i == 0 ? table.initialOffset : table.offsets[i - 1]
                let after = table.offsets[i]
                for local in [at + Int64(before) - 1, at + Int64(before), at + Int64(after) - 1, at + Int64(after),
                              at + (Int64(before) + Int64(after)) / 2] {
                    // Brute force over the neighbouring periods.
                    var valid: [(Int64, Int32)] = []
                    for k in max(0, i - 3)...min(transitions.count, i + 3) {
                        let offset = k == 0 ? table.initialOffset : table.offsets[k - 1]
                        let start = k == 0 ? Int64.min / 2 : transitions[k - 1]
                        let end = k == transitions.count ? Int64.max / 2 : transitions[k]
                        let u = local - Int64(offset)
                        if u >= start && u < end { valid.append((u, offset)) }
                    }
                    let expected: (Int64, Int32)
                    if let earliest = valid.min(by: { $0.0 < $1.0 }) {
                        expected = earliest
                    } else {
                        expected = (local - Int64(before), after)   // in this transition's gap
                    }
                    let got = rules.resolve(localSeconds: local)
                    if got != expected {
                        Issue.record("\(name): local \(local) near transition \(at): got \(got), expected \(expected)")
                        return
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 100_000)
    }

    // MARK: POSIX TZ rules

    @Test func posixRules() throws {
        let eastern = try #require(PosixTimeZoneRule("EST5EDT,M3.2.0,M11.1.0"))
        #expect(eastern.standardOffset == -18_000 && eastern.daylightOffset == -14_400)
        #expect(eastern.offset(atUTC: TimeTest.utc(2024, 3, 10, 6, 59, 59)) == -18_000)
        #expect(eastern.offset(atUTC: TimeTest.utc(2024, 3, 10, 7)) == -14_400)
        #expect(eastern.offset(atUTC: TimeTest.utc(2024, 11, 3, 5, 59, 59)) == -14_400)
        #expect(eastern.offset(atUTC: TimeTest.utc(2024, 11, 3, 6)) == -18_000)
        // Default rule when only names are given: the US rule.
        #expect(PosixTimeZoneRule("EST5EDT") == eastern)

        let india = try #require(PosixTimeZoneRule("<+0530>-5:30"))
        #expect(india.standardOffset == 19_800 && !india.hasDaylightTime)
        #expect(india.offset(atUTC: 0) == 19_800)

        let sydney = try #require(PosixTimeZoneRule("AEST-10AEDT,M10.1.0,M4.1.0/3"))
        #expect(sydney.offset(atUTC: TimeTest.utc(2030, 1, 1)) == 39_600)
        #expect(sydney.offset(atUTC: TimeTest.utc(2030, 6, 1)) == 36_000)
        #expect(sydney.offset(atUTC: TimeTest.utc(2030, 12, 31, 23)) == 39_600)

        // Negative daylight time (Europe/Dublin): "standard" IST in summer, GMT in winter.
        let dublin = try #require(PosixTimeZoneRule("IST-1GMT0,M10.5.0,M3.5.0/1"))
        #expect(dublin.offset(atUTC: TimeTest.utc(2030, 7, 1)) == 3600)
        #expect(dublin.offset(atUTC: TimeTest.utc(2030, 1, 1)) == 0)

        // Transition times beyond 24 hours and negative ones (America/Nuuk since 2023).
        let nuuk = try #require(PosixTimeZoneRule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0"))
        #expect(nuuk.offset(atUTC: TimeTest.utc(2030, 7, 1)) == -3600)
        #expect(nuuk.offset(atUTC: TimeTest.utc(2030, 1, 1)) == -7200)
        // 2030-03-31 is the last Sunday of March; -1:00 local on that day is 2030-03-30T23:00-02:00 = 2030-03-31T01:00Z.
        #expect(nuuk.offset(atUTC: TimeTest.utc(2030, 3, 31, 0, 59, 59)) == -7200)
        #expect(nuuk.offset(atUTC: TimeTest.utc(2030, 3, 31, 1)) == -3600)

        // Julian day forms: J60 is March 1 in every year; zero-based 59 is March 1 only in common years.
        let julian = try #require(PosixTimeZoneRule("EST5EDT,J60/2,J300/2"))
        #expect(julian.offset(atUTC: TimeTest.utc(2024, 3, 1, 6, 59)) == -18_000)
        #expect(julian.offset(atUTC: TimeTest.utc(2024, 3, 1, 7)) == -14_400)
        let zeroBased = try #require(PosixTimeZoneRule("EST5EDT,59,299"))
        #expect(zeroBased.offset(atUTC: TimeTest.utc(2023, 3, 1, 7)) == -14_400)
        #expect(zeroBased.offset(atUTC: TimeTest.utc(2024, 2, 29, 7)) == -14_400)
        #expect(zeroBased.offset(atUTC: TimeTest.utc(2024, 2, 29, 6, 59)) == -18_000)

        // Permanent daylight time expressed as a rule that never ends.
        let permanent = try #require(PosixTimeZoneRule("EST5EDT,0/0,J365/25"))
        for month in 1...12 {
            #expect(permanent.offset(atUTC: TimeTest.utc(2030, month, 1)) == -14_400)
        }
        #expect(permanent.offset(atUTC: TimeTest.utc(2031, 1, 1, 4, 30)) == -14_400)
        #expect(permanent.offset(atUTC: TimeTest.utc(2031, 1, 1, 5, 30)) == -14_400)

        for bad in ["", "E5", "EST", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0", "<+0530", "EST5EDT,M3.2.0,M11.1.0x", "EST99"] {
            #expect(PosixTimeZoneRule(bad) == nil, "\(bad)")
        }
    }

    // MARK: Hand-made TZif files

    @Test func footerOnlyZone() throws {
        // A slim-style file: no transitions at all, everything from the footer.
        let bytes = TZifBuilder.build(types: [(-18_000, false)], transitions: [], footer: "EST5EDT,M3.2.0,M11.1.0")
        let rules = try TimeZoneRules(name: "Test/Eastern", tzif: bytes)
        #expect(rules.offset(atUTC: TimeTest.utc(2024, 1, 1)) == -18_000)
        #expect(rules.offset(atUTC: TimeTest.utc(2024, 7, 1)) == -14_400)
        #expect(rules.resolve(localSeconds: try local("2024-03-10T02:30:00")) == (try TimeTest.instant("2024-03-10T03:30:00-04:00"), -14_400))
        #expect(rules.resolve(localSeconds: try local("2024-11-03T01:30:00")) == (try TimeTest.instant("2024-11-03T01:30:00-04:00"), -14_400))
        #expect(rules.resolve(localSeconds: try local("2024-11-03T02:00:00")) == (try TimeTest.instant("2024-11-03T02:00:00-05:00"), -18_000))
        #expect(rules.resolve(localSeconds: try local("2024-06-01T12:00:00")) == (try TimeTest.instant("2024-06-01T12:00:00-04:00"), -14_400))
    }

    @Test func versionOneFileAndFixedZones() throws {
        // Version 1: 32-bit times, no footer. One change from +01 to +02 at 2000-01-01T00:00Z.
        let change = TimeTest.utc(2000, 1, 1)
        let v1 = TZifBuilder.build(version: 0, types: [(3600, false), (7200, false)], transitions: [(change, 1)], footer: nil)
        let rules = try TimeZoneRules(name: "Test/V1", tzif: v1)
        #expect(rules.offset(atUTC: change - 1) == 3600)
        #expect(rules.offset(atUTC: change) == 7200)
        #expect(rules.offset(atUTC: TimeTest.utc(2200, 1, 1)) == 7200)
        // The change is a one-hour gap in local time.
        #expect(rules.resolve(localSeconds: change + 3600 + 1800) == (change + 1800, 7200))
        #expect(rules.resolve(localSeconds: change + 3600 - 1) == (change - 1, 3600))

        let fixed = try TimeZoneRules(name: "Test/Fixed", tzif: TZifBuilder.build(types: [(-36_000, false)], transitions: [], footer: "<-10>10"))
        #expect(fixed.offset(atUTC: 0) == -36_000)
        #expect(fixed.resolve(localSeconds: 0) == (36_000, -36_000))
        #expect(try zone("Etc/GMT+5").offset(atUTC: 0) == -18_000)
    }

    @Test func brokenFiles() throws {
        let good = TZifBuilder.build(types: [(0, false)], transitions: [(0, 0)], footer: "UTC0")
        #expect(throws: TimestampFormatError.self) { try TimeZoneRules(name: "x", tzif: Array(good.prefix(good.count - 20))) }
        #expect(throws: TimestampFormatError.self) { try TimeZoneRules(name: "x", tzif: Array("TZif2".utf8)) }
        #expect(throws: TimestampFormatError.self) { try TimeZoneRules(name: "x", tzif: []) }
        let leap = TZifBuilder.build(types: [(0, false)], transitions: [], footer: "UTC0", leapCount: 1)
        do {
            _ = try TimeZoneRules(name: "right/UTC", tzif: leap)
            Issue.record("a leap-second file must be refused")
        } catch {
            #expect(error.message.contains("leap seconds"))
        }
        let badFooter = TZifBuilder.build(types: [(0, false)], transitions: [], footer: "nonsense")
        #expect(throws: TimestampFormatError.self) { try TimeZoneRules(name: "x", tzif: badFooter) }
        let badIndex = TZifBuilder.build(types: [(0, false)], transitions: [(0, 3)], footer: "UTC0")
        #expect(throws: TimestampFormatError.self) { try TimeZoneRules(name: "x", tzif: badIndex) }
    }

    // MARK: Cross-check with Foundation

    /// Offsets and local-time resolution agree with Foundation's TimeZone for random instants
    /// 1900-2100 (and into the footer years), except inside gaps and overlaps, which are
    /// tested explicitly above.
    @Test(arguments: ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo"])
    func agreesWithFoundation(name: String) throws {
        let rules = try zone(name)
        let tz = try #require(TimeZone(identifier: name))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = tz
        var rng = TimeTest.RNG(seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
        let low = TimeTest.utc(1900, 1, 1)
        let high = TimeTest.utc(2100, 1, 1)
        var compared = 0
        for index in 0..<2000 {
            // Mostly 1900-2100; one in ten from 2100-2400, past the expanded table.
            let u = index % 10 == 9 ? Int64.random(in: high...TimeTest.utc(2400, 1, 1), using: &rng)
                                    : Int64.random(in: low...high, using: &rng)
            let expected = Int32(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(u))))
            #expect(rules.offset(atUTC: u) == expected, "\(name) offset at \(u)")

            // Resolution of the same wall-clock time, unless a transition is within two days.
            let local = u + Int64(expected)
            let around = [local - 2 * 86_400, local + 2 * 86_400].map {
                tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0)))
            }
            guard around[0] == around[1], around[0] == Int(expected) else { continue }
            let (days, secondOfDay) = CivilCalendar.floorDivMod(local, 86_400)
            let date = CivilCalendar.date(days: days)
            let components = DateComponents(year: Int(date.year), month: date.month, day: date.day,
                                            hour: Int(secondOfDay / 3600), minute: Int(secondOfDay / 60 % 60), second: Int(secondOfDay % 60))
            let foundation = try #require(calendar.date(from: components))
            let resolved = rules.resolve(localSeconds: local)
            #expect(resolved.utcSeconds == Int64(foundation.timeIntervalSince1970.rounded()), "\(name) resolve \(local)")
            #expect(resolved.utcSeconds == u && resolved.offset == expected)
            compared += 1
        }
        #expect(compared > 1800)
    }
}

/// Writes TZif files for tests.
enum TZifBuilder {
    static func build(version: UInt8 = UInt8(ascii: "2"), types: [(offset: Int32, isDST: Bool)],
                      transitions: [(at: Int64, type: UInt8)], footer: String?, leapCount: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        func be32(_ v: UInt32) { out.append(contentsOf: [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]) }
        func be64(_ v: Int64) {
            be32(UInt32(truncatingIfNeeded: UInt64(bitPattern: v) >> 32))
            be32(UInt32(truncatingIfNeeded: UInt64(bitPattern: v)))
        }
        func header(_ version: UInt8, times: Int, types: Int, chars: Int, leap: Int) {
            out.append(contentsOf: Array("TZif".utf8))
            out.append(version)
            out.append(contentsOf: [UInt8](repeating: 0, count: 15))
            be32(0); be32(0); be32(UInt32(leap)); be32(UInt32(times)); be32(UInt32(types)); be32(UInt32(chars))
        }
        func block(timeSize: Int) {
            for t in transitions {
                if timeSize == 8 { be64(t.at) } else { be32(UInt32(bitPattern: Int32(truncatingIfNeeded: t.at))) }
            }
            for t in transitions { out.append(t.type) }
            for type in types {
                be32(UInt32(bitPattern: type.offset))
                out.append(type.isDST ? 1 : 0)
                out.append(0)
            }
            out.append(0)   // one abbreviation: ""
            for _ in 0..<leapCount {
                if timeSize == 8 { be64(0) } else { be32(0) }
                be32(1)
            }
        }
        if version == 0 {
            header(0, times: transitions.count, types: types.count, chars: 1, leap: leapCount)
            block(timeSize: 4)
            return out
        }
        header(version, times: transitions.count, types: types.count, chars: 1, leap: leapCount)
        block(timeSize: 4)
        header(version, times: transitions.count, types: types.count, chars: 1, leap: leapCount)
        block(timeSize: 8)
        if let footer {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: Array(footer.utf8))
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}
