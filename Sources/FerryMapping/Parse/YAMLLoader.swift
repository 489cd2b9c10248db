import Yams

/// Turns mapping-file text into a Yams node tree, and YAML syntax errors into diagnostics.
///
/// Yams refuses a mapping with a duplicate key outright, naming only the first occurrence.
/// To report the second occurrence and keep going, the loader renames the first occurrence
/// in its own copy of the text (one character, so no position moves) and composes again;
/// `renamedKeys` gives back the original text of each renamed key by its location, and
/// `SpecReader` then reports the duplicate where it is written.
struct YAMLLoader {
    struct Loaded {
        /// Nil for an empty document.
        var root: Node?
        /// Keys renamed to get past a duplicate, by where they are written: their real text.
        var renamedKeys: [MappingLocation: String]
    }

    /// At most this many duplicate keys are renamed; past that, the first is reported alone.
    static let maxRenamedKeys = 64

    static func load(_ yaml: String, file: String) -> Result<Loaded, MappingError> {
        var text = yaml
        var renamed: [MappingLocation: String] = [:]
        for round in 0...maxRenamedKeys {
            do {
                let root = try Yams.compose(yaml: text, .default, .default, .utf8)
                return .success(Loaded(root: root, renamedKeys: renamed))
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                let location = MappingLocation(context.mark)
                if round < maxRenamedKeys, let key = duplicates.first,
                   let fixed = renameKey(in: text, at: location, key: key, marker: round) {
                    renamed[location] = key
                    text = fixed
                    continue
                }
                let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
                return .failure(MappingError([MappingDiagnostic(file: file, at: location,
                    "duplicate key \(names) in one mapping; each key may appear once")]))
            } catch let error as YamlError {
                return .failure(MappingError([diagnostic(for: error, in: text, file: file)]))
            } catch {
                return .failure(MappingError([MappingDiagnostic(file: file, at: .unknown,
                    "cannot read the YAML: \(error)")]))
            }
        }
        return .failure(MappingError([MappingDiagnostic(file: file, at: .unknown, "cannot read the YAML")]))
    }

    /// A YAML syntax error, at the line and column libyaml reports (Yams makes them 1-based).
    static func diagnostic(for error: YamlError, in text: String, file: String) -> MappingDiagnostic {
        func message(_ problem: String, _ context: YamlError.Context?) -> String {
            var message = "invalid YAML: \(problem)"
            if let context {
                let place = "\(context.mark.line):\(context.mark.column)"
                // libyaml phrases some problems as the second half of a sentence: "but found ...".
                if problem.hasPrefix("but ") {
                    message = "invalid YAML: \(context.text) (at \(place)), \(problem)"
                } else {
                    message += " (\(context.text) at \(place))"
                }
            }
            return message
        }
        switch error {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            return MappingDiagnostic(file: file, at: MappingLocation(mark), message(problem, context))
        case let .reader(problem, offset, _, _):
            let place = offset.map { location(ofUTF8Offset: $0, in: text) } ?? MappingLocation.unknown
            return MappingDiagnostic(file: file, at: place, message(problem, nil))
        default:
            return MappingDiagnostic(file: file, at: .unknown, "cannot read the YAML: \(error)")
        }
    }

    /// Replaces the first character of the key written at `location` with a private-use
    /// character, so that it no longer equals the later occurrence. Nil when the text there
    /// is not plainly that key (an anchor, a tag, an escape): then no rename is attempted.
    static func renameKey(in text: String, at location: MappingLocation, key: String, marker: Int) -> String? {
        var scalars = Array(text.unicodeScalars)
        guard let start = index(of: location, in: scalars), let first = key.unicodeScalars.first,
              let replacement = Unicode.Scalar(0xE000 + UInt32(marker)) else { return nil }
        var target = start
        let opening = scalars[start]
        if opening == "\"" || opening == "'" { target += 1 }
        guard target < scalars.count, scalars[target] == first else { return nil }
        // An escape (`\` in double quotes, `''` in single quotes) cannot lose its first half.
        if opening == "\"" && first == "\\" { return nil }
        if opening == "'" && first == "'" { return nil }
        scalars[target] = replacement
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Where libyaml's line and column point, counting as libyaml does: one column per
    /// Unicode scalar; CR LF, CR, LF, NEL, LS and PS end a line.
    static func index(of location: MappingLocation, in scalars: [Unicode.Scalar]) -> Int? {
        var line = 1
        var column = 1
        var i = 0
        while i < scalars.count {
            if line == location.line && column == location.column { return i }
            if line > location.line { return nil }
            let scalar = scalars[i]
            if isBreak(scalar) {
                if scalar == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += 1
        }
        return nil
    }

    static func location(ofUTF8Offset offset: Int, in text: String) -> MappingLocation {
        var line = 1
        var column = 1
        var bytes = 0
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if bytes >= offset { break }
            bytes += UTF8.width(scalar)
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if isBreak(scalar) {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return MappingLocation(line: line, column: column)
    }

    private static func isBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": return true
        default: return false
        }
    }
}

extension MappingLocation {
    /// From a Yams mark, which is already 1-based.
    init(_ mark: Mark) {
        self.init(line: mark.line, column: mark.column)
    }
}
