#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Aligned text tables for people.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: String...) {
        self.header = header
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// The table, columns padded to their widest cell; long cells in the last column are left as they are.
    /// The table, each cell cut at `maxWidth` characters; with `wholeLastColumn`, the last column is never cut
    /// (a provision's text with its condition and legal basis, which lose their meaning cut).
    func render(maxWidth: Int = 60, wholeLastColumn: Bool = false) -> String {
        let clipped = rows.map { row in
            row.enumerated().map { i, value in cell(value, wholeLastColumn && i == row.count - 1 ? .max : maxWidth) }
        }
        var widths = header.map(\.count)
        for row in clipped {
            for (i, value) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], value.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, value in
                i == cells.count - 1 ? value : value + String(repeating: " ", count: widths[i] - value.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + clipped.map(line)).joined(separator: "\n")
    }

    private func cell(_ value: String, _ width: Int) -> String {
        let flat = String(value.map { $0.isNewline ? " " : $0 })
        return flat.count <= width ? flat : String(flat.prefix(width - 1)) + "…"
    }
}

extension String {
    /// `exchange_of_notes` -> `exchange of notes`.
    var words: String { replacing("_", with: " ") }
}

extension String {
    /// Each of `table`'s scalars replaced by its text, for quoting and escaping. Scalar by scalar, not Character by
    /// Character: a combining mark after a quote makes one Character of the two, which `replacing("\"", ...)`
    /// passes over, leaving the quote unescaped.
    func replacingScalars(_ table: [Unicode.Scalar: String]) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            if let replacement = table[scalar] { out += replacement } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}

extension StringProtocol {
    /// Without the white space at either end.
    var trimmed: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

/// `value` with `places` digits after the point, as printf's `%.Nf` writes it (Foundation's `String(format:)` is not
/// in FoundationEssentials).
func decimal(_ value: Double, places: Int) -> String {
    var buffer = [CChar](repeating: 0, count: 352)
    _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(places)f", $0) }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
