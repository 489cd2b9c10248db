/// The record format of an input.
public enum InputFormat: String, Sendable, CaseIterable {
    case csv
    case tsv
    case ndjson

    /// Guesses from the file name (a trailing `.gz` ignored): `.csv`, `.tsv`/`.tab`,
    /// `.ndjson`/`.jsonl`/`.json`. Nil when the name says nothing.
    public static func fromName(_ name: String) -> InputFormat? {
        if name.hasSuffix(".csv") || name.hasSuffix(".txt") { return .csv }
        if name.hasSuffix(".tsv") || name.hasSuffix(".tab") { return .tsv }
        if name.hasSuffix(".ndjson") || name.hasSuffix(".jsonl") || name.hasSuffix(".json") { return .ndjson }
        return nil
    }

    /// Guesses from the first decoded bytes: a line starting with `{` is NDJSON, else CSV.
    public static func sniff(_ prefix: UnsafeBufferPointer<UInt8>) -> InputFormat {
        var i = 0
        if prefix.count >= 3, prefix[0] == 0xEF, prefix[1] == 0xBB, prefix[2] == 0xBF { i = 3 }
        while i < prefix.count, [0x20, 0x09, 0x0A, 0x0D].contains(prefix[i]) { i += 1 }
        if i < prefix.count, prefix[i] == UInt8(ascii: "{") { return .ndjson }
        return .csv
    }

    /// Picks the delimiter among `,` `;` tab `|` from the first lines: the one that splits
    /// every sampled line into the same number (> 1) of fields, preferring more fields;
    /// failing that, the most frequent one on the first line; `,` when none appears.
    public static func sniffDelimiter(_ prefix: UnsafeBufferPointer<UInt8>, quote: UInt8? = UInt8(ascii: "\"")) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]
        // Count candidates per line outside quotes, for up to 20 complete lines.
        var counts: [[Int]] = []
        var current = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var sawContent = false
        for b in prefix {
            if let quote, b == quote { inQuotes.toggle(); sawContent = true; continue }
            if inQuotes { continue }
            if b == 0x0A || b == 0x0D {
                if sawContent { counts.append(current) }
                current = [Int](repeating: 0, count: candidates.count)
                sawContent = false
                if counts.count == 20 { break }
                continue
            }
            sawContent = true
            if let index = candidates.firstIndex(of: b) { current[index] += 1 }
        }
        if counts.isEmpty && sawContent { counts.append(current) }
        guard let first = counts.first else { return candidates[0] }
        var best: (index: Int, count: Int)?
        for index in candidates.indices where first[index] > 0 {
            if counts.allSatisfy({ $0[index] == first[index] }), first[index] > (best?.count ?? 0) {
                best = (index, first[index])
            }
        }
        if let best { return candidates[best.index] }
        if let index = candidates.indices.max(by: { first[$0] < first[$1] }), first[index] > 0 {
            return candidates[index]
        }
        return candidates[0]
    }
}
