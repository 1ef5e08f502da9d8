// Canonical decomposition (`é` -> `e` and the accent) from the standard library, where Swift's own string comparison
// finds it: Foundation's `decomposedStringWithCanonicalMapping` is not in FoundationEssentials, and all of Foundation
// made every `treaty` command a millisecond slower to start. A test checks every scalar against Foundation's.
@_spi(_Unicode) import Swift

/// Folds text so that the spellings news uses for Azerbaijani, Turkish and Russian names meet.
///
/// Unicode's diacritic folding turns `Şuşa` into `susa`, never `shusha`, and leaves `ə` and `ı` alone. The
/// phonetic key maps letters to the English transliteration they stand for (`ş` -> `sh`, `x` -> `kh`,
/// `c` -> `j`, `q` -> `g`, `ə` -> `a`, Cyrillic letter by letter), then smooths the spots where English
/// spellings waver (`iye` -> `ie`, a final `e` -> `a`). Both the stored text and the query go through the
/// same fold, so `Jalil Khalilov`, `Cəlil Xəlilov` and `Джалил Халилов` all become `jalil khalilov`.
///
/// `ə` is also written `e` (the Turkish spelling and much of the press: `Eliyev`, `Memmedov`), so a word with `ə`
/// has a second key with `e` for it (``phoneticKeys(_:)``): the stored text and the query both carry it.
public enum NameFolding {
    /// The phonetic key of `text`: lowercase words of ASCII letters and digits, separated by spaces.
    ///
    /// One pass over the bytes: a run of ASCII letters and digits (most words, even in text with a name in another
    /// script) is keyed in place; only a run holding other letters takes the Unicode path.
    public static func phonetic(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        var word: [UInt8] = []
        word.reserveCapacity(32)
        func emit(_ key: some Sequence<UInt8>) {
            if !out.isEmpty { out.append(0x20) }
            out.append(contentsOf: key)
        }
        let utf8 = text.utf8
        var start = utf8.startIndex
        var ascii = true
        // Keys the run of bytes from `start` to `end`, which holds no ASCII separator.
        func key(upTo end: String.Index) {
            guard start < end else { return }
            if ascii {
                word.removeAll(keepingCapacity: true)
                for byte in utf8[start..<end] { appendASCII(byte, to: &word) }
                smooth(&word)
                if !word.isEmpty { emit(word) }
            } else {
                for part in words(of: String(text[start..<end])) {
                    for key in phoneticKeys(part) where !key.isEmpty { emit(key.utf8) }
                }
            }
        }
        var index = start
        while index < utf8.endIndex {
            let byte = utf8[index]
            let next = utf8.index(after: index)
            if byte >= 0x80 {
                ascii = false
            } else if !isASCIIWordByte(byte) {
                key(upTo: index)
                (start, ascii) = (next, true)
            }
            index = next
        }
        key(upTo: utf8.endIndex)
        return String(decoding: out, as: UTF8.self)
    }

    private static func isASCIIWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// The words of `text`, split at anything that is not a letter or digit.
    public static func words(of text: String) -> [Substring] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII: split on bytes; Character properties are costly.
            var words: [Substring] = []
            var start: String.Index?
            var index = text.startIndex
            for byte in text.utf8 {
                let isWordByte = isASCIIWordByte(byte)
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

    /// The phonetic keys of one word: its key, and for a word with `ə` also the key with `e` written for it.
    public static func phoneticKeys<S: StringProtocol>(_ word: S) -> [String] {
        let key = phoneticWord(word)
        guard word.unicodeScalars.contains(where: schwas.contains) else { return [key] }
        var asE = String.UnicodeScalarView()
        for scalar in word.unicodeScalars { asE.append(schwas.contains(scalar) ? "e" : scalar) }
        let variant = phoneticWord(String(asE))
        return variant == key ? [key] : [key, variant]
    }

    /// Whether two names read the same, word for word, in any case and any of the spellings folding joins
    /// (`uzbekistan` and `Uzbekistan`, `Cəlil Xəlilov` and `Jalil Khalilov`, `Eliyev` and `Əliyev`).
    public static func readTheSame(_ a: String, _ b: String) -> Bool {
        let (x, y) = (words(of: a), words(of: b))
        guard x.count == y.count, !x.isEmpty else { return false }
        return zip(x, y).allSatisfy { !Set(phoneticKeys($0)).isDisjoint(with: phoneticKeys($1)) }
    }

    /// Schwa in Latin and Cyrillic script, both cases.
    private static let schwas: Set<Unicode.Scalar> = ["ə", "Ə", "ә", "Ә"]

    /// The phonetic key of one word.
    public static func phoneticWord<S: StringProtocol>(_ word: S) -> String {
        if word.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(word.utf8.count + 2)
            for byte in word.utf8 { appendASCII(byte, to: &bytes) }
            smooth(&bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
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
        var bytes = Array(out.utf8)
        smooth(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same mapping for one ASCII byte: most words are ASCII, and the Unicode path is slow.
    private static func appendASCII(_ byte: UInt8, to out: inout [UInt8]) {
        var byte = byte
        if (0x41...0x5A).contains(byte) { byte += 0x20 }  // A-Z -> a-z
        switch byte {
        case UInt8(ascii: "c"): out.append(UInt8(ascii: "j"))
        case UInt8(ascii: "q"): out.append(UInt8(ascii: "g"))
        case UInt8(ascii: "x"):
            out.append(UInt8(ascii: "k"))
            out.append(UInt8(ascii: "h"))
        case 0x61...0x7A, 0x30...0x39: out.append(byte)
        default: return
        }
    }

    /// Spots where transliterations of one name differ: `dzh`/`dj` for `j`, `iye`/`ie`, a final `e`/`a`.
    /// The key is ASCII by now, so this works on bytes, in place.
    private static func smooth(_ w: inout [UInt8]) {
        let kept = w.withUnsafeMutableBufferPointer { bytes in
            var count = bytes.count
            // Every pattern holds a z, j or y: most words hold none, and skip the passes.
            if bytes.contains(where: { $0 == UInt8(ascii: "z") || $0 == UInt8(ascii: "j") || $0 == UInt8(ascii: "y") }) {
                // Each replacement is shorter than what it replaces, so it is done in place; in this order.
                count = replace("dzh", with: "j", in: bytes, count: count)
                count = replace("dj", with: "j", in: bytes, count: count)
                count = replace("zh", with: "j", in: bytes, count: count)
                count = replace("iya", with: "ia", in: bytes, count: count)
                count = replace("iye", with: "ie", in: bytes, count: count)
                count = replace("iyo", with: "io", in: bytes, count: count)
                count = replace("iyu", with: "iu", in: bytes, count: count)
                count = replace("yy", with: "y", in: bytes, count: count)
            }
            if count > 3, bytes[count - 1] == UInt8(ascii: "e") { bytes[count - 1] = UInt8(ascii: "a") }
            return count
        }
        w.removeLast(w.count - kept)
    }

    /// Replaces every occurrence of `target` in the first `count` bytes, left to right without overlaps; returns the
    /// new count. Writes nothing when `target` does not occur (keys are made for every word of every text indexed).
    private static func replace(
        _ target: StaticString, with replacement: StaticString, in bytes: UnsafeMutableBufferPointer<UInt8>, count: Int
    ) -> Int {
        let (t, n) = (UnsafeBufferPointer(start: target.utf8Start, count: target.utf8CodeUnitCount), target.utf8CodeUnitCount)
        func matches(at index: Int) -> Bool {
            guard index + n <= count else { return false }
            for k in 0..<n where bytes[index + k] != t[k] { return false }
            return true
        }
        guard var read = (0..<count).first(where: matches) else { return count }
        var write = read
        while read < count {
            if matches(at: read) {
                for k in 0..<replacement.utf8CodeUnitCount {
                    bytes[write] = replacement.utf8Start[k]
                    write += 1
                }
                read += n
            } else {
                bytes[write] = bytes[read]
                write += 1
                read += 1
            }
        }
        return write
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
    static func asciiBase(of scalar: Unicode.Scalar) -> String? {
        var decomposed = String(scalar)._nfd.makeIterator()
        guard let first = decomposed.next(), first.isASCII, first.properties.isAlphabetic else {
            return scalar.properties.generalCategory == .nonspacingMark ? "" : nil
        }
        return String(first)
    }
}
