/// `transform:` steps, applied in order to a value's text. Nil means null (`null_if_empty`).
enum Transforms {
    static func apply(_ steps: [TransformSpec], to text: String) -> String? {
        var value = text
        for step in steps {
            switch step {
            case .trim: value = value.trimmingWhitespace()
            case .lower: value = value.lowercased()
            case .upper: value = value.uppercased()
            case .title: value = title(value)
            case .collapseWhitespace: value = collapse(value)
            case .digitsOnly: value = String(value.unicodeScalars.filter { $0.value >= 0x30 && $0.value <= 0x39 }.map(Character.init))
            case .truncate(let n): if value.count > n { value = String(value.prefix(n)) }
            case .prefix(let p): value = p + value
            case .suffix(let s): value = value + s
            case .replace(let from, let to): value = from.isEmpty ? value : Casts.split(value, by: from).joined(separator: to)
            case .nullIfEmpty: if value.isEmpty { return nil }
            }
        }
        return value
    }

    static func title(_ text: String) -> String {
        var out = ""
        var startOfWord = true
        for c in text {
            if c.isLetter {
                out += startOfWord ? c.uppercased() : c.lowercased()
                startOfWord = false
            } else {
                out.append(c)
                startOfWord = c.isWhitespace || c == "-"
            }
        }
        return out
    }

    static func collapse(_ text: String) -> String {
        var out = ""
        var pendingSpace = false
        for c in text {
            if c.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(c)
            }
        }
        return out
    }
}
