extension Duration {
    /// The duration in seconds, as a Double (for rates, backoff and latency figures).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
