/// "Did you mean ...?" for misspelt names: keys, type names, transforms, targets, columns.
public enum Suggestions {
    /// The candidate closest to `word`, if it is close enough to be what was meant: an edit
    /// distance (ignoring case; a swap of two neighbouring letters counts as one edit) of at
    /// most `max(2, word.count / 3)`, or one word a prefix of the other. The smallest distance
    /// wins; on a tie, the longer common prefix, then the candidate listed first. Nil when
    /// nothing is close or `word` is empty.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let typed = Array(word.lowercased())
        guard !typed.isEmpty else { return nil }
        let limit = max(2, typed.count / 3)
        var best: (candidate: String, distance: Int, shared: Int)?
        for candidate in candidates {
            let known = Array(candidate.lowercased())
            guard !known.isEmpty else { continue }
            let distance = editDistance(typed, known)
            let isPrefix = known.starts(with: typed) || typed.starts(with: known)
            guard distance <= limit || isPrefix else { continue }
            let shared = zip(typed, known).prefix { $0 == $1 }.count
            if let current = best {
                if current.distance < distance { continue }
                if current.distance == distance && current.shared >= shared { continue }
            }
            best = (candidate, distance, shared)
        }
        return best?.candidate
    }

    /// The edit distance between two words, ignoring case: insertions, deletions,
    /// substitutions and swaps of two neighbouring characters each count as one.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        editDistance(Array(a.lowercased()), Array(b.lowercased()))
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Three rows: two before the current one, for transpositions.
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, beforePrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
