/// Everything a running sandbox remembers, shared by its routes.
struct SandboxState: Sendable {
    let ledger: SandboxLedger
    let traffic: SandboxTraffic
    let talonOne = TalonOneSessions()
    /// Request bodies' buffers, reused from one request to the next.
    let bodyBuffers = BodyBufferPool()

    /// Empties the ledger and the deployment state, restarts numbering and counters.
    func reset() async {
        await ledger.reset()
        await traffic.reset()
        await talonOne.reset()
    }
}
