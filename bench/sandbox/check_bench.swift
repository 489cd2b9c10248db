// bench/callgrind-sandbox's harness: the sandbox's check of one request body (VendorRoute.check
// with the ledger only counting, as under `ferry sandbox --counts-only`), repeated, without the
// HTTP server around it. Built by that script in a scratch package with `-enable-testing`,
// since VendorRoute is internal to FerrySandbox; not part of ferry.
//
//   check_bench TARGET PREFIX BODY_FILE REPEATS      (the sandbox's own credential is sent)
@testable import FerrySandbox
import FerryVendors
import Foundation
import NIOCore

let arguments = CommandLine.arguments
guard arguments.count == 5, let repeats = Int(arguments[4]), repeats > 0 else {
    FileHandle.standardError.write(Data("usage: check_bench TARGET PREFIX BODY_FILE REPEATS\n".utf8))
    exit(2)
}
guard let target = TargetCatalog.all.first(where: { $0.name == arguments[1] }) else {
    FileHandle.standardError.write(Data("check_bench: no target \(arguments[1])\n".utf8))
    exit(2)
}
guard let bytes = FileManager.default.contents(atPath: arguments[3]) else {
    FileHandle.standardError.write(Data("check_bench: cannot read \(arguments[3])\n".utf8))
    exit(2)
}
let route = VendorRoute(target: target, prefix: arguments[2])
let body = ByteBuffer(bytes: bytes)
var records = 0
for _ in 0..<repeats {
    let incoming = VendorRoute.Incoming(authorization: SandboxCredentials.authorization(for: target), contentType: "application/json",
                                        path: target.endpoint.path, parameters: [:], body: body)
    switch route.check(incoming, countOnly: true) {
    case .success(let accepted):
        records += accepted.count
    case .failure(let rejection):
        FileHandle.standardError.write(Data("check_bench: refused: \(rejection.message)\n".utf8))
        exit(1)
    }
}
print("records \(records)")
