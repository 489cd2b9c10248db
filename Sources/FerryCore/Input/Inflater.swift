import Foundation
import CIsal
import CZlib

/// The library that inflates gzip input. ISA-L (Intel's storage acceleration library) inflates
/// several times faster than zlib and is used whenever it can be loaded; zlib is always there.
public enum Inflater: String, Sendable, CaseIterable {
    case isal
    case zlib

    /// Whether ISA-L's inflate can be used here: ferry was built with its header (Debian's
    /// `libisal-dev`) and `libisal.so.2` loads.
    public static let isalAvailable: Bool = {
        guard let probe = ferry_isal_create() else { return false }
        ferry_isal_destroy(probe)
        return true
    }()

    /// What inputs are inflated with: ISA-L when available, unless `FERRY_INFLATE=zlib` asks
    /// for zlib (for comparison, or to rule the library out when chasing a problem).
    public static let preferred: Inflater = {
        if let asked = getenv("FERRY_INFLATE").map({ String(cString: $0) }), asked == "zlib" { return .zlib }
        return isalAvailable ? .isal : .zlib
    }()

    /// The inflaters that work on this machine.
    public static var available: [Inflater] { isalAvailable ? [.isal, .zlib] : [.zlib] }
}

/// One call's worth of inflating: bytes taken from the input, bytes written, whether the gzip
/// member ended (trailer read and checked), and the problem met, if any.
struct InflateStep {
    var consumed = 0
    var produced = 0
    var memberDone = false
    var problem: InflateProblem?
}

enum InflateProblem {
    case corrupt(String)
    case outOfMemory
}

/// A gzip member decoder: zlib's or ISA-L's.
protocol MemberInflater: AnyObject {
    /// Prepares for a member that starts at the next input byte.
    func beginMember() throws(InputError)
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> InflateStep
}

final class ZlibMemberInflater: MemberInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var initialized = false
    private let fileName: String

    init(fileName: String) {
        self.fileName = fileName
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    func beginMember() throws(InputError) {
        if initialized {
            inflateReset(stream)
            return
        }
        // 15 window bits + 16: gzip wrapper only, header and CRC-32/size trailer checked.
        let status = ferry_inflateInit2(stream, 15 + 16)
        guard status == Z_OK else {
            throw InputError(.unreadable, file: fileName, message: "zlib initialisation failed (\(status))")
        }
        initialized = true
    }

    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> InflateStep {
        stream.pointee.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
        stream.pointee.avail_in = UInt32(clamping: input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(clamping: output.count)
        let offered = Int(stream.pointee.avail_in)
        let room = Int(stream.pointee.avail_out)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        var step = InflateStep(consumed: offered - Int(stream.pointee.avail_in),
                               produced: room - Int(stream.pointee.avail_out))
        switch status {
        case Z_OK, Z_BUF_ERROR:
            break
        case Z_STREAM_END:
            step.memberDone = true
        case Z_NEED_DICT, Z_DATA_ERROR:
            step.problem = .corrupt(stream.pointee.msg.map { String(cString: $0) } ?? "invalid compressed data")
        case Z_MEM_ERROR:
            step.problem = .outOfMemory
        default:
            step.problem = .corrupt("zlib inflate failed with status \(status)")
        }
        return step
    }
}

final class IsalMemberInflater: MemberInflater {
    private let state: OpaquePointer

    /// nil when ISA-L cannot be loaded.
    init?() {
        guard let state = ferry_isal_create() else { return nil }
        self.state = state
    }

    deinit { ferry_isal_destroy(state) }

    func beginMember() throws(InputError) { ferry_isal_begin_member(state) }

    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> InflateStep {
        let result = ferry_isal_inflate(state, input.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                        UInt32(clamping: input.count),
                                        output.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                        UInt32(clamping: output.count))
        var step = InflateStep(consumed: Int(result.consumed), produced: Int(result.produced),
                               memberDone: result.member_done != 0)
        switch result.status {
        case 0: break
        // The words zlib uses for the same damage, so messages read alike whichever inflates.
        case FERRY_ISAL_INCORRECT_CHECKSUM: step.problem = .corrupt("incorrect data check or length")
        case FERRY_ISAL_INVALID_WRAPPER: step.problem = .corrupt("incorrect header")
        case FERRY_ISAL_UNSUPPORTED_METHOD: step.problem = .corrupt("unknown compression method")
        case FERRY_ISAL_INVALID_LOOKBACK: step.problem = .corrupt("invalid distance too far back")
        case FERRY_ISAL_INVALID_SYMBOL: step.problem = .corrupt("invalid code")
        case FERRY_ISAL_NEED_DICT: step.problem = .corrupt("a preset dictionary is needed")
        default: step.problem = .corrupt("invalid block")
        }
        return step
    }
}
