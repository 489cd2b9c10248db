import Foundation
import FerryCore
import FerryVendors

/// What a checkpoint is bound to: the target, the mapping file's bytes, the options that
/// decide batch boundaries, and each input (its name, size, and a hash of its first and last
/// MiB, so that renaming-free edits and truncations are caught without reading tens of GB).
/// A resume with any of these changed would skip the wrong batches, so it is refused.
public struct JobFingerprint: Sendable, Equatable {
    public let digest: String
    /// A readable list of what went into it, stored in the checkpoint's first line.
    public let description: String

    public static let sampleBytes = 1 << 20

    public init(target: String, mappingPath: String, inputs: [InputFile], batchSize: Int?, limit: Int?,
                groupMemory: Int) throws(CheckpointError) {
        var hash = SHA256()
        var parts: [String] = ["target=\(target)", "batch_size=\(batchSize.map(String.init) ?? "default")",
                               "limit=\(limit.map(String.init) ?? "none")", "group_memory=\(groupMemory)"]
        guard let mapping = FileManager.default.contents(atPath: mappingPath) else {
            throw CheckpointError("cannot read the mapping \(mappingPath) to fingerprint the job")
        }
        hash.update(Array("mapping:".utf8))
        hash.update(mapping)
        for input in inputs {
            if input.isStdin {
                throw CheckpointError("a checkpoint needs files it can read again; standard input cannot be resumed")
            }
            let sample = try Self.sample(input.path)
            parts.append("\(input.displayName) (\(sample.size) bytes)")
            hash.update(Array("\ninput:\(input.displayName):\(sample.size):".utf8))
            hash.update(sample.bytes)
        }
        for part in parts { hash.update(Array("\n\(part)".utf8)) }
        digest = SHA256.hex(hash.finalize())
        description = parts.joined(separator: ", ")
    }

    /// The file's size and its first and last `sampleBytes`.
    static func sample(_ path: String) throws(CheckpointError) -> (size: Int64, bytes: [UInt8]) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CheckpointError("cannot read \(path) to fingerprint the job")
        }
        defer { try? handle.close() }
        do {
            let size = Int64(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            var bytes = [UInt8](try handle.read(upToCount: sampleBytes) ?? Data())
            if size > Int64(sampleBytes) {
                try handle.seek(toOffset: UInt64(max(Int64(sampleBytes), size - Int64(sampleBytes))))
                bytes += [UInt8](try handle.readToEnd() ?? Data())
            }
            return (size, bytes)
        } catch {
            throw CheckpointError("cannot read \(path) to fingerprint the job: \(error.localizedDescription)")
        }
    }
}

/// A checkpoint that cannot be used.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
