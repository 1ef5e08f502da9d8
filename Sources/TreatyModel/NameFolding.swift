import Foundation

/// Folds text so that the spellings news uses for Azerbaijani, Turkish and Russian names meet.
///
/// Unicode's diacritic folding turns `Şuşa` into `susa`, never `shusha`, and leaves `ə` and `ı` alone. The
/// phonetic key maps letters to the English transliteration they stand for (`ş` -> `sh`, `x` -> `kh`,
/// `c` -> `j`, `q` -> `g`, `ə` -> `a`, Cyrillic letter by letter), then smooths the spots where English
/// spellings waver (`iye` -> `ie`, a final `e` -> `a`). Both the stored text and the query go through the
/// same fold, so `Jalil Khalilov`, `Cəlil Xəlilov` and `Джалил Халилов` all become `jalil khalilov`.
public enum NameFolding {
    /// The phonetic key of `text`: lowercase words of ASCII letters and digits, separated by spaces.
    public static func phonetic(_ text: String) -> String {
        words(of: text).map(phoneticWord).filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The words of `text`, split at anything that is not a letter or digit.
    public static func words(of text: String) -> [Substring] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII: split on bytes; Character properties are costly.
            var words: [Substring] = []
            var start: String.Index?
            var index = text.startIndex
            for byte in text.utf8 {
                let isWordByte = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                if isWordByte, start == nil { start = index }
                if !isWordByte, let from = start {
                    words.append(text[from..<index])
                    start = nil
                }
                index = text.utf8.index(after: index)
            }
            if let from = start { words.append(text[from...]) }
            return words
        }
        return text.split { !($0.isLetter || $0.isNumber) }
    }

    /// The phonetic key of one word.
    public static func phoneticWord<S: StringProtocol>(_ word: S) -> String {
        if word.utf8.allSatisfy({ $0 < 0x80 }) { return smooth(asciiWord(word.utf8)) }
        var out = ""
        out.reserveCapacity(word.utf8.count)
        for scalar in word.lowercased().unicodeScalars {
            if let mapped = letterMap[scalar] {
                out += mapped
            } else if scalar.isASCII {
                if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) { out.unicodeScalars.append(scalar) }
            } else if let base = asciiBase(of: scalar) {
                out += base
            }
        }
        return smooth(out)
    }

    /// The same mapping for ASCII, byte by byte: most words are ASCII, and the Unicode path is slow.
    private static func asciiWord<C: Collection<UInt8>>(_ bytes: C) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 2)
        for var byte in bytes {
            if (0x41...0x5A).contains(byte) { byte += 0x20 }  // A-Z -> a-z
            switch byte {
            case UInt8(ascii: "c"): out.append(UInt8(ascii: "j"))
            case UInt8(ascii: "q"): out.append(UInt8(ascii: "g"))
            case UInt8(ascii: "x"): out.append(contentsOf: [UInt8(ascii: "k"), UInt8(ascii: "h")])
            case 0x61...0x7A, 0x30...0x39: out.append(byte)
            default: continue
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Spots where transliterations of one name differ: `dzh`/`dj` for `j`, `iye`/`ie`, a final `e`/`a`.
    /// The key is ASCII by now, so this works on bytes.
    private static func smooth(_ word: String) -> String {
        var w = Array(word.utf8)
        for (from, to) in smoothing { w = replacing(from, with: to, in: w) }
        if w.count > 3, w.last == UInt8(ascii: "e") { w[w.count - 1] = UInt8(ascii: "a") }
        return String(decoding: w, as: UTF8.self)
    }

    private static let smoothing: [([UInt8], [UInt8])] = [
        ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("iya", "ia"), ("iye", "ie"), ("iyo", "io"), ("iyu", "iu"), ("yy", "y"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    private static func replacing(_ target: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= target.count else { return bytes }
        var out: [UInt8] = []
        var i = 0
        var changed = false
        while i < bytes.count {
            if i + target.count <= bytes.count, bytes[i] == target[0], Array(bytes[i..<(i + target.count)]) == target {
                if !changed {
                    out.reserveCapacity(bytes.count)
                    out.append(contentsOf: bytes[..<i])
                    changed = true
                }
                out.append(contentsOf: replacement)
                i += target.count
            } else {
                if changed { out.append(bytes[i]) }
                i += 1
            }
        }
        return changed ? out : bytes
    }

    /// Letters whose transliteration is not their diacritic-free base.
    static let letterMap: [Unicode.Scalar: String] = {
        var map: [Unicode.Scalar: String] = [
            // Azerbaijani and Turkish Latin.
            "ə": "a", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "x": "kh", "q": "g", "c": "j", "ö": "o", "ü": "u",
            "\u{307}": "",  // the dot that lowercasing İ leaves behind
            // Russian Cyrillic, BGN/PCGN-like.
            "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
            "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
            "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
            "ь": "", "э": "e", "ю": "yu", "я": "ya",
            // Azerbaijani and Kazakh Cyrillic letters beyond Russian.
            "ә": "a", "ғ": "g", "ҹ": "j", "һ": "h", "ј": "y", "ҝ": "g", "ө": "o", "ү": "u", "ұ": "u", "қ": "k",
            "ң": "ng", "і": "i",
        ]
        // Characters that fold to more than their base letter.
        map["ß"] = "ss"
        map["æ"] = "ae"
        map["ø"] = "o"
        map["ł"] = "l"
        map["đ"] = "d"
        return map
    }()

    /// The ASCII letter under a Latin letter with diacritics (`é` -> `e`), or nil for other scripts.
    private static func asciiBase(of scalar: Unicode.Scalar) -> String? {
        let decomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
        guard let first = decomposed.first, first.isASCII, first.properties.isAlphabetic else {
            return scalar.properties.generalCategory == .nonspacingMark ? "" : nil
        }
        return String(first)
    }
}
