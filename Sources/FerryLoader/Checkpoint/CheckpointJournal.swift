import Foundation
import FerryCore
import NIOConcurrencyHelpers

/// `--checkpoint FILE`: an append-only journal of settled batches. The first line binds it
/// to one job (`JobFingerprint`); each later line says a batch (or part of a split batch)
/// is done, written with one `write(2)` as soon as the vendor has answered, so a crash or
/// `kill -9` loses at most the lines of requests still in flight (those are sent again).
///
/// ```
/// {"ferry_checkpoint":1,"job":"<sha-256>","target":"toplyne.user_events","about":"..."}
/// {"batch":0}                                every record of batch 0 delivered
/// {"batch":1,"rejected":[3]}                 all settled; record 3 refused by the vendor
/// {"batch":2,"part":[0,1,2],"rejected":[]}   part of a split batch settled
/// ```
/// Record numbers are positions in the batch. A last line cut short by a crash is ignored.
public final class CheckpointJournal: Sendable {
    /// What an earlier run settled of one batch: all of it (`whole`) or the record positions
    /// of its settled parts, and the rejected positions among them.
    public struct Settled: Sendable, Equatable {
        public var whole: Bool
        public var positions: Set<Int>
        public var rejected: Set<Int>

        public func isComplete(records: Int) -> Bool { whole || positions.count >= records }
    }

    public let path: String
    public let fingerprint: JobFingerprint
    /// From the journal as it was when this run opened it.
    public let previous: [Int: Settled]
    private let fd: Int32
    private let lock = NIOLock()

    /// Opens the journal: `resume` reads an existing one (refusing another job's) and appends;
    /// otherwise a journal already there is refused, so that a run never silently discards
    /// or reuses another run's progress.
    public init(path: String, fingerprint: JobFingerprint, target: String, resume: Bool) throws(CheckpointError) {
        self.path = path
        self.fingerprint = fingerprint
        let exists = FileManager.default.fileExists(atPath: path)
        var previous: [Int: Settled] = [:]
        if exists {
            guard resume else {
                throw CheckpointError("the checkpoint \(path) already exists: add --resume to continue that job, or remove the file to start again")
            }
            previous = try Self.read(path: path, fingerprint: fingerprint)
        }
        let opened = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            throw CheckpointError("cannot open the checkpoint \(path): \(String(cString: strerror(errno)))")
        }
        fd = opened
        self.previous = previous
        if !exists || Self.isEmpty(path) {
            var header = JSONObject()
            header.append("ferry_checkpoint", .int(1))
            header.append("job", .string(fingerprint.digest))
            header.append("target", .string(target))
            header.append("about", .string(fingerprint.description))
            try append(JSONWriter.serialize(.object(header)) + [0x0A])
        }
    }

    deinit { close(fd) }

    static func isEmpty(_ path: String) -> Bool {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) == 0
    }

    static func read(path: String, fingerprint: JobFingerprint) throws(CheckpointError) -> [Int: Settled] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError("cannot read the checkpoint \(path)")
        }
        let bytes = [UInt8](data)
        var settled: [Int: Settled] = [:]
        var lineNumber = 0
        var sawHeader = false
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            lineNumber += 1
            guard let value = try? Array(line).withUnsafeBufferPointer({ try JSONParser.parse($0) }),
                  case .object(let object) = value else {
                // Only the last line can be cut short by a crash; anything else is damage.
                if line.endIndex == bytes.endIndex { continue }   // no line feed after it: cut short
                throw CheckpointError("\(path):\(lineNumber): not a checkpoint line; the file is damaged")
            }
            if !sawHeader {
                guard case .string(let job)? = object["job"], object["ferry_checkpoint"] != nil else {
                    throw CheckpointError("\(path) is not a ferry checkpoint")
                }
                guard job == fingerprint.digest else {
                    var about = ""
                    if case .string(let text)? = object["about"] { about = " (it was written for: \(text))" }
                    throw CheckpointError("\(path) belongs to another job\(about); the mapping, the inputs or --batch-size/--limit differ. Remove it to start again")
                }
                sawHeader = true
                continue
            }
            guard case .int(let index)? = object["batch"] else { continue }
            let rejected = Set(Self.integers(object["rejected"]))
            var entry = settled[Int(index)] ?? Settled(whole: false, positions: [], rejected: [])
            if let part = object["part"] {
                entry.positions.formUnion(Self.integers(part))
            } else {
                entry.whole = true
            }
            entry.rejected.formUnion(rejected)
            settled[Int(index)] = entry
        }
        if !sawHeader && !bytes.isEmpty { throw CheckpointError("\(path) is not a ferry checkpoint") }
        return settled
    }

    static func integers(_ value: JSONValue?) -> [Int] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap { if case .int(let n) = $0 { return Int(n) } else { return nil } }
    }

    /// Batch `index` is settled: every record (`part == nil`), or the records at `part`.
    /// `rejected` are the positions the vendor refused.
    public func settle(batch index: Int, part: [Int]? = nil, rejected: [Int] = []) throws(CheckpointError) {
        var object = JSONObject()
        object.append("batch", .int(Int64(index)))
        if let part { object.append("part", .array(part.map { .int(Int64($0)) })) }
        if !rejected.isEmpty || part != nil { object.append("rejected", .array(rejected.map { .int(Int64($0)) })) }
        try append(JSONWriter.serialize(.object(object)) + [0x0A])
    }

    private func append(_ line: [UInt8]) throws(CheckpointError) {
        let failure: Int32? = lock.withLock {
            line.withUnsafeBytes { raw -> Int32? in
                guard let base = raw.baseAddress else { return nil }
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, base + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    offset += n
                }
                return nil
            }
        }
        if let failure {
            throw CheckpointError("cannot write the checkpoint \(path): \(String(cString: strerror(failure)))")
        }
    }

    /// Forces the journal to disk (at the end of a run).
    public func sync() {
        lock.withLock { _ = fsync(fd) }
    }
}
