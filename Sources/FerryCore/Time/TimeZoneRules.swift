import Foundation

/// The UTC offsets of one IANA time zone over time, read from the system's TZif files.
///
/// `UTC`, `Etc/UTC`, `GMT` and `Z` (any letter case) need no file. Other names are read from
/// `$TZDIR` or `/usr/share/zoneinfo`: the 64-bit transition table of the TZif file, and its
/// POSIX TZ footer (such as `EST5EDT,M3.2.0,M11.1.0`) for instants after the last
/// transition. Zones are loaded once per name and cached for the life of the process.
///
/// ## Local times that do not exist or exist twice
/// ``resolve(localSeconds:)`` turns a wall-clock time without an offset into an instant:
/// - A local time in a **spring-forward gap** is moved forward by the length of the gap:
///   02:30 on the day New York springs forward (clocks jump 02:00 -> 03:00) becomes
///   03:30 EDT (07:30Z).
/// - An **ambiguous** local time in a fall-back overlap takes the **earlier** instant, the
///   one with the offset in force before the transition (daylight time): 01:30 on the day
///   New York falls back becomes 01:30 EDT (05:30Z), not 01:30 EST.
///
/// These are java.time's defaults (`ZonedDateTime.of`), so data produced by JVM tools round-trips.
public final class TimeZoneRules: Sendable {
    /// The name the zone was looked up by.
    public let name: String

    /// UTC instants at which the offset changes, ascending.
    private let transitions: [Int64]
    /// `offsets[i]` is in force from `transitions[i]` until the next transition.
    private let offsets: [Int32]
    /// `transitions[i] + offsets[i]`: the local wall-clock time at which period `i + 1` starts.
    private let localStarts: [Int64]
    /// The offset before the first transition.
    private let initialOffset: Int32
    /// The rule for instants at or after the last transition.
    private let footer: PosixTimeZoneRule?
    /// Set for zones with one offset forever (UTC).
    private let fixedOffset: Int32?
    /// `bucketStarts[k]` is how many `localStarts` lie before `bucketOrigin + k << bucketShift`:
    /// a lookup table that replaces the binary search for local times 1800-2100.
    private let bucketStarts: [Int32]

    private static let bucketOrigin: Int64 = -5_364_662_400   // 1800-01-01T00:00:00
    private static let bucketShift: Int64 = 22                 // about 48.5 days

    /// Footer transitions are expanded into the table up to the start of this year; later
    /// instants evaluate the footer rule directly.
    static let tableEndYear: Int64 = 2100

    /// Instants are clamped to about ±35 million years so no arithmetic can overflow.
    private static let clamp: Int64 = 1 << 50

    init(name: String, fixedOffset: Int32) {
        self.name = name
        self.fixedOffset = fixedOffset
        transitions = []
        offsets = []
        localStarts = []
        initialOffset = fixedOffset
        footer = nil
        bucketStarts = []
    }

    init(name: String, file: TZifFile) {
        var file = file
        file.extend(throughYearBefore: Self.tableEndYear)
        self.name = name
        transitions = file.transitions
        offsets = file.offsets
        let starts = zip(file.transitions, file.offsets).map { $0 + Int64($1) }
        localStarts = starts
        let bucketCount = Int((CivilCalendar.days(year: Self.tableEndYear, month: 1, day: 1) * CivilCalendar.secondsPerDay
                               - Self.bucketOrigin) >> Self.bucketShift) + 1
        bucketStarts = starts.isEmpty ? [] : (0..<bucketCount).map { k in
            Int32(Self.countNotAfter(Self.bucketOrigin + (Int64(k) << Self.bucketShift) - 1, in: starts))
        }
        initialOffset = file.initialOffset
        footer = file.footer
        if file.transitions.isEmpty, file.footer.map({ !$0.hasDaylightTime }) ?? true {
            fixedOffset = file.footer?.standardOffset ?? file.initialOffset
        } else {
            fixedOffset = nil
        }
    }

    /// Parses a TZif file's bytes (exposed for tests with hand-made files).
    convenience init(name: String, tzif bytes: [UInt8]) throws(TimestampFormatError) {
        do throws(TZifFile.Invalid) {
            self.init(name: name, file: try TZifFile(bytes: bytes))
        } catch {
            throw TimestampFormatError(message: "time zone '\(name)' cannot be used: \(error.reason)")
        }
    }

    /// UTC itself.
    public static let utc = TimeZoneRules(name: "UTC", fixedOffset: 0)

    /// True for a zone whose offset is 0 at all times.
    public var isUTC: Bool { fixedOffset == 0 }

    // MARK: Lookup

    /// The zone with an IANA name such as `America/New_York`, loaded once and cached.
    ///
    /// Throws for a name that is not a zone, with a suggestion when one is close
    /// ("unknown time zone 'America/New_Yrok' (did you mean America/New_York?)"), and for
    /// names that try to leave the zone directory (`..`, a leading `/`).
    public static func named(_ name: String) throws(TimestampFormatError) -> TimeZoneRules {
        if let cached = cache.get(name) { return cached }
        let zone = try load(name)
        return cache.insert(name, zone)
    }

    private static let cache = ZoneCache()

    private static let utcNames: Set<String> = ["utc", "etc/utc", "gmt", "z"]

    /// The directory TZif files are read from: `$TZDIR` when set, else `/usr/share/zoneinfo`.
    static var zoneDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["TZDIR"], !dir.isEmpty { return dir }
        return "/usr/share/zoneinfo"
    }

    static func load(_ name: String, directory: String = zoneDirectory) throws(TimestampFormatError) -> TimeZoneRules {
        if utcNames.contains(name.lowercased()) { return TimeZoneRules(name: name, fixedOffset: 0) }
        let hint = "use an IANA name such as America/New_York, Europe/Berlin or UTC"
        guard !name.isEmpty else { throw TimestampFormatError(message: "empty time zone name; \(hint)") }
        guard !name.hasPrefix("/"), !name.contains(".."), !name.contains("\0"), !name.contains("\\"), name.utf8.count <= 255 else {
            throw TimestampFormatError(message: "unknown time zone '\(name)': \(hint)")
        }
        let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path)
        else {
            if let suggestion = suggestion(for: name, directory: directory) {
                throw TimestampFormatError(message: "unknown time zone '\(name)' (did you mean \(suggestion)?)")
            }
            throw TimestampFormatError(message: "unknown time zone '\(name)': \(hint)")
        }
        let bytes = [UInt8](data)
        guard bytes.starts(with: Array("TZif".utf8)) else {
            throw TimestampFormatError(message: "unknown time zone '\(name)': \(hint)")
        }
        do throws(TZifFile.Invalid) {
            return TimeZoneRules(name: name, file: try TZifFile(bytes: bytes))
        } catch {
            throw TimestampFormatError(message: "time zone '\(name)' (\(path)) cannot be used: \(error.reason)")
        }
    }

    /// The closest zone name in `directory`: a case-insensitive match, else one within a
    /// small edit distance. Only called on the error path.
    static func suggestion(for name: String, directory: String) -> String? {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return nil }
        let wanted = Array(name.lowercased().utf8)
        var best: (name: String, distance: Int)?
        let limit = max(2, wanted.count / 4)
        while let entry = enumerator.nextObject() as? String {
            if entry == "posix" || entry == "right" {
                enumerator.skipDescendants()
                continue
            }
            if entry.contains(".") { continue }
            guard let first = entry.utf8.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { continue }
            let candidate = Array(entry.lowercased().utf8)
            if candidate == wanted { return entry }
            if abs(candidate.count - wanted.count) > limit { continue }
            let d = editDistance(candidate, wanted)
            if d <= limit, best.map({ d < $0.distance }) ?? true { best = (entry, d) }
        }
        return best?.name
    }

    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    // MARK: Offsets

    /// The UTC offset (seconds east) in force at a UTC instant.
    public func offset(atUTC seconds: Int64) -> Int32 {
        if let fixedOffset { return fixedOffset }
        let u = Swift.min(Swift.max(seconds, -Self.clamp), Self.clamp)
        let n = transitions.count
        if n == 0 || u >= transitions[n - 1] {
            if let footer { return footer.offset(atUTC: u) }
            return n == 0 ? initialOffset : offsets[n - 1]
        }
        let index = Self.countNotAfter(u, in: transitions)
        return index == 0 ? initialOffset : offsets[index - 1]
    }

    /// The instant of a local wall-clock time, given as seconds since 1970-01-01T00:00:00 as
    /// if it were UTC, with the offset in force at that instant.
    ///
    /// A local time in a spring-forward gap is moved forward by the length of the gap
    /// (02:30 on the New York spring-forward day becomes 03:30 EDT); an ambiguous local time
    /// in a fall-back overlap takes the earlier instant, with the offset in force before the
    /// transition (daylight time). These are java.time's defaults.
    public func resolve(localSeconds: Int64) -> (utcSeconds: Int64, offset: Int32) {
        if let fixedOffset { return (localSeconds - Int64(fixedOffset), fixedOffset) }
        let local = Swift.min(Swift.max(localSeconds, -Self.clamp), Self.clamp)
        let n = transitions.count
        if let footer, n == 0 || local - 2 * CivilCalendar.secondsPerDay > transitions[n - 1] {
            return Self.resolve(local, footer: footer)
        }
        if n == 0 { return (local - Int64(initialOffset), initialOffset) }

        // Period p (0...n) runs from transitions[p - 1] to transitions[p], with offset
        // offsets[p - 1] (initialOffset for p == 0). Find the last period starting, in local
        // time, at or before `local`.
        let p = periodIndex(local)
        let offset = p == 0 ? initialOffset : offsets[p - 1]
        if p < n, local >= transitions[p] + Int64(offset) {
            // Past the local end of period p but before period p + 1 starts: a gap. Keep
            // the offset from before the gap, which moves the time forward by its length.
            return (local - Int64(offset), offsets[p])
        }
        if p >= 1 {
            let previous = p == 1 ? initialOffset : offsets[p - 2]
            if local < transitions[p - 1] + Int64(previous) {
                // Also inside the previous period: an overlap. Take the earlier instant.
                return (local - Int64(previous), previous)
            }
        }
        return (local - Int64(offset), offset)
    }

    /// How many `localStarts` are `<= local`: a bucket lookup and a short scan for
    /// 1800-2100, a binary search otherwise.
    @inline(__always)
    private func periodIndex(_ local: Int64) -> Int {
        let bucket = (local &- Self.bucketOrigin) >> Self.bucketShift
        guard local >= Self.bucketOrigin, bucket < Int64(bucketStarts.count) else {
            return Self.countNotAfter(local, in: localStarts)
        }
        return localStarts.withUnsafeBufferPointer { starts in
            var p = Int(bucketStarts[Int(bucket)])
            while p < starts.count, starts[p] <= local { p &+= 1 }
            return p
        }
    }

    /// Resolution where only the footer rule applies. Its transitions are months apart, so
    /// the offsets a day either side bracket at most one transition.
    private static func resolve(_ local: Int64, footer: PosixTimeZoneRule) -> (utcSeconds: Int64, offset: Int32) {
        let before = footer.offset(atUTC: local - CivilCalendar.secondsPerDay)
        let after = footer.offset(atUTC: local + CivilCalendar.secondsPerDay)
        if before == after { return (local - Int64(before), before) }
        let early = local - Int64(before)
        let late = local - Int64(after)
        let earlyValid = footer.offset(atUTC: early) == before
        let lateValid = footer.offset(atUTC: late) == after
        switch (earlyValid, lateValid) {
        case (true, true): return early <= late ? (early, before) : (late, after)
        case (true, false): return (early, before)
        case (false, true): return (late, after)
        case (false, false): return (early, after)   // a gap: moved forward by its length
        }
    }

    /// How many elements of the ascending array `values` are `<= key`.
    @inline(__always)
    private static func countNotAfter(_ key: Int64, in values: [Int64]) -> Int {
        values.withUnsafeBufferPointer { buffer in
            var low = 0
            var high = buffer.count
            while low < high {
                let mid = (low &+ high) >> 1
                if buffer[mid] <= key { low = mid &+ 1 } else { high = mid }
            }
            return low
        }
    }
}

/// The process-wide cache of loaded zones, guarded by a lock.
private final class ZoneCache: @unchecked Sendable {
    private let lock = NSLock()
    private var zones: [String: TimeZoneRules] = [:]

    func get(_ name: String) -> TimeZoneRules? {
        lock.lock()
        defer { lock.unlock() }
        return zones[name]
    }

    /// Stores `zone` unless another thread stored one first; returns the stored one.
    func insert(_ name: String, _ zone: TimeZoneRules) -> TimeZoneRules {
        lock.lock()
        defer { lock.unlock() }
        if let existing = zones[name] { return existing }
        zones[name] = zone
        return zone
    }
}
