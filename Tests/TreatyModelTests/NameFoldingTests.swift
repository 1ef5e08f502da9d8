import Foundation
import Testing

@testable import TreatyModel

@Suite("Name folding")
struct NameFoldingTests {
    /// The English spellings news uses, and the native ones they stand for (domain.md).
    static let pairs: [(String, String)] = [
        ("Aliyev", "Əliyev"), ("Ismayil", "İsmayıl"), ("Babaoglu", "Babaoğlu"), ("Jalil Khalilov", "Cəlil Xəlilov"),
        ("Shusha", "Şuşa"), ("Gabala", "Qəbələ"), ("Mirzazade", "Mirzəzadə"), ("Hikmat", "Hikmət"),
        ("Nabiyev", "Nəbiyev"), ("Adalat Verdiyev", "Adalət Verdiyev"), ("Milli Majlis", "Milli Məclis"),
    ]

    @Test("English transliterations and native spellings share a phonetic key", arguments: pairs)
    func transliterationMeetsNative(english: String, native: String) {
        // Word by word, the English spelling's key is the native word's first key.
        #expect(
            NameFolding.words(of: english).map(NameFolding.phoneticWord)
                == NameFolding.words(of: native).map { NameFolding.phoneticKeys($0)[0] })
    }

    @Test("Names read the same word for word in any case and spelling folding joins; a part of a name does not")
    func readTheSame() {
        #expect(NameFolding.readTheSame("uzbekistan", "Uzbekistan"))
        #expect(NameFolding.readTheSame("Jalil Khalilov", "Cəlil Xəlilov"))
        #expect(NameFolding.readTheSame("Eliyev", "Əliyev") && NameFolding.readTheSame("Aliyev", "Əliyev"))
        #expect(!NameFolding.readTheSame("Turkic", "Organization of Turkic States"))
        #expect(!NameFolding.readTheSame("Aliyev", "Eliyev"))
        #expect(!NameFolding.readTheSame("", ""))
    }

    @Test("A word with ə has a second key with e for it; the press spelling with e meets it")
    func schwaAsE() {
        #expect(NameFolding.phoneticKeys("Əliyev") == ["aliev", "eliev"])
        #expect(NameFolding.phoneticKeys("Məmmədov") == ["mammadov", "memmedov"])
        #expect(NameFolding.phoneticKeys("Мәммәдов") == ["mammadov", "memmedov"])
        #expect(NameFolding.phoneticKeys("Eliyev") == ["eliev"])
        #expect(NameFolding.phoneticKeys("Shusha") == ["shusha"])
        #expect(NameFolding.phonetic("Cəlil Xəlilov") == "jalil jelil khalilov khelilov")
    }

    @Test("Cyrillic spellings meet the Latin ones")
    func cyrillic() {
        #expect(NameFolding.phonetic("Алиев") == NameFolding.phonetic("Aliyev"))
        #expect(NameFolding.phonetic("Джалил Халилов") == NameFolding.phonetic("Jalil Khalilov"))
        #expect(NameFolding.phonetic("Шуша") == NameFolding.phonetic("Şuşa"))
    }

    @Test("Different names stay different")
    func distinct() {
        #expect(NameFolding.phonetic("Aliyev") != NameFolding.phonetic("Nabiyev"))
        #expect(NameFolding.phonetic("Shusha") != NameFolding.phonetic("Gabala"))
        #expect(NameFolding.phonetic("Turkey") != NameFolding.phonetic("Uzbekistan"))
    }

    @Test("Punctuation splits words and case does not matter")
    func words() {
        #expect(NameFolding.phonetic("“ŞUŞA,  Declaration”") == NameFolding.phonetic("shusha declaration"))
        #expect(NameFolding.words(of: "“Şuşa,  declaration”").count == 2)
    }
}

@Suite("Name folding: the ASCII fast path")
struct NameFoldingFastPathTests {
    /// The byte path for ASCII words must give what the Unicode path gives: compare against a word made
    /// non-ASCII by a combining mark, which folding removes.
    @Test("ASCII words fold the same as through the Unicode path", arguments: [
        "Aliyev", "Jalil", "Khalilov", "Cooperation", "XQC", "Gabala", "defence-2025", "Mirzazade", "Iyev", "dzhalil",
    ])
    func sameAsUnicodePath(word: String) {
        let viaUnicode = NameFolding.phoneticWord(word + "\u{301}")  // a combining acute accent: folded away
        #expect(NameFolding.phoneticWord(word) == viaUnicode)
    }
}

extension NameFoldingFastPathTests {
    /// Text of fewer than `length` characters drawn from `alphabet`.
    static func randomText(from alphabet: [Character], shorterThan length: UInt64, _ generator: inout SplitMix64) -> String {
        String((0..<Int(generator.next() % length)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    @Test("Splitting ASCII text on bytes gives the words Character properties give")
    func asciiWords() {
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("ab Z9-,.'\"()/_\n\tQx0")
        for _ in 0..<2000 {
            let text = Self.randomText(from: alphabet, shorterThan: 30, &generator)
            let expected = text.split { !($0.isLetter || $0.isNumber) }.map(String.init)
            #expect(NameFolding.words(of: text).map(String.init) == expected, "\(text)")
        }
    }
}

extension NameFoldingFastPathTests {
    @Test("The one-pass key of ASCII text is the key of its words joined, through the Unicode path")
    func asciiText() {
        var generator = SplitMix64(seed: 11)
        // Letters that the smoothing rules and the mapping touch, often enough to meet.
        let alphabet = Array("dzhjiyaeouxqcDZHY -.,9\n")
        for _ in 0..<3000 {
            let text = Self.randomText(from: alphabet, shorterThan: 40, &generator)
            // A combining mark on the text sends it down the Unicode path, which folds the mark away.
            let expected = NameFolding.words(of: text).map { NameFolding.phoneticWord($0 + "\u{301}") }.filter { !$0.isEmpty }
                .joined(separator: " ")
            #expect(NameFolding.phonetic(text) == expected, "\(text)")
        }
    }
}

extension NameFoldingFastPathTests {
    @Test("Text mixing ASCII words and words in other scripts keys each word as the word-by-word path does")
    func mixedText() {
        var generator = SplitMix64(seed: 13)
        let alphabet = Array("aeiyzhjxq əƏşçığüöЖжәи—«» -.,'\n9")
        for _ in 0..<3000 {
            let text = Self.randomText(from: alphabet, shorterThan: 40, &generator)
            let expected = NameFolding.words(of: text).flatMap(NameFolding.phoneticKeys).filter { !$0.isEmpty }
                .joined(separator: " ")
            #expect(NameFolding.phonetic(text) == expected, "\(text)")
        }
    }
}

extension NameFoldingFastPathTests {
    /// The smoothing rules as first written, on Strings: each replacement in turn over the whole key, left to right
    /// without overlaps, then a final e of a key of more than three letters read as a. Keys stored in a search index
    /// must not change with how the rules are computed.
    static func smoothedAsSpecified(_ key: String) -> String {
        var key = key
        for (from, to) in [
            ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("iya", "ia"), ("iye", "ie"), ("iyo", "io"), ("iyu", "iu"), ("yy", "y"),
        ] {
            key = key.replacingOccurrences(of: from, with: to)
        }
        if key.count > 3, key.hasSuffix("e") { key = String(key.dropLast()) + "a" }
        return key
    }

    @Test("Smoothing gives what its rules say, applied one after another, on words made of the letters they touch")
    func smoothingRules() {
        var generator = SplitMix64(seed: 13)
        let alphabet = Array("dzhjiyaeou")  // letters the mapping keeps as they are
        for _ in 0..<20_000 {
            let word = Self.randomText(from: alphabet, shorterThan: 14, &generator)
            #expect(NameFolding.phoneticWord(word) == Self.smoothedAsSpecified(word), "\(word)")
        }
    }

    @Test("Every Unicode scalar folds to the ASCII letter Foundation's canonical decomposition puts first, or to none")
    func decompositionAsFoundationHasIt() {
        // The store keys words with the standard library's decomposition (the CLI links no Foundation): keys
        // written with Foundation's before must still be found.
        var differing: [String] = []
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let first = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.first!
            let expected = first.isASCII && first.properties.isAlphabetic
                ? String(first) : (scalar.properties.generalCategory == .nonspacingMark ? "" : nil)
            if NameFolding.asciiBase(of: scalar) != expected { differing.append(String(value, radix: 16)) }
        }
        #expect(differing.isEmpty, "U+\(differing.prefix(10).joined(separator: ", U+"))")
    }
}
