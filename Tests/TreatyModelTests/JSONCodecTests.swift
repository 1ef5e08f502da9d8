import Foundation
import Testing
import TreatyModel

@Suite("JSON codec")
struct JSONCodecTests {
    @Test("Valid documents parse to what they say", arguments: [
        (#"{"a":[1,-2,3.5,1e3,true,false,null],"b":"x"}"#,
         JSONValue.object(["a": [1, -2, 3.5, 1000.0, true, false, nil], "b": "x"])),
        (#"  "\u00e9\n\"\\\/\ud83d\ude00"  "#, .string("é\n\"\\/😀")),
        ("9223372036854775807", .int(Int64.max)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("-0", .int(0)),
        ("[]", .array([])),
        (#""Əliyev Şuşa""#, .string("Əliyev Şuşa")),
    ])
    func valid(text: String, expected: JSONValue) throws {
        #expect(try JSONCodec.decode(text) == expected)
    }

    @Test("Invalid documents are refused", arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", ".5", "+1", "tru", "nul", "\"\u{01}\"", "\"\\x\"", "\"\\ud800\"",
        "[1] x", "{\"a\":1,}", "'a'", "1e", "-", "NaN", "1e999",
        // A member named twice: parsers disagree on which value counts, so none is taken.
        #"{"k":1,"k":2}"#, #"{"a":{"k":1,"k":1}}"#,
    ])
    func invalid(text: String) {
        #expect(throws: JSONCodecError.self) { try JSONCodec.decode(text) }
    }

    @Test("Invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONCodecError.self) { try JSONCodec.decode(Data([0x22, 0xFF, 0x22])) }
        #expect(throws: JSONCodecError.self) { try JSONCodec.decode(Data([0x22, 0xC3, 0x22])) }
    }

    @Test("Nesting deeper than the limit is refused, not a stack overflow")
    func depth() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONCodecError.self) { try JSONCodec.decode(deep) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        _ = try JSONCodec.decode(fine)
    }

    /// Random values survive encode -> decode, and Foundation reads the encoding as the same structure.
    @Test("Random values round-trip, and Foundation agrees with the encoding")
    func randomRoundTrip() throws {
        var generator = SplitMix64(seed: 20_251_008)
        let runs = ProcessInfo.processInfo.environment["TREATY_FUZZ_RUNS"].flatMap(Int.init) ?? 2000
        for _ in 0..<runs {
            let value = Self.randomValue(&generator, depth: 0)
            let text = JSONCodec.string(value)
            #expect(try JSONCodec.decode(text) == value, "\(text)")
            let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(Self.same(value, foundation), "\(text)")
        }
    }

    static func randomValue(_ g: inout SplitMix64, depth: Int) -> JSONValue {
        let pieces = ["a", "é", "Ə", "\"", "\\", "\n", "\u{01}", "😀", "/", " ", "ş"]
        switch g.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(g.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: g.next()) >> Int64(g.next() % 64))
        case 3: return .double(Double(Int64(bitPattern: g.next()) % 1_000_000) / 64.0 + 0.5)
        case 4: return .string((0..<Int(g.next() % 8)).map { _ in pieces[Int(g.next() % UInt64(pieces.count))] }.joined())
        case 5: return .array((0..<Int(g.next() % 4)).map { _ in randomValue(&g, depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for i in 0..<Int(g.next() % 4) { object["k\(i)\(pieces[Int(g.next() % UInt64(pieces.count))])"] = randomValue(&g, depth: depth + 1) }
            return .object(object)
        }
    }

    static func same(_ value: JSONValue, _ any: Any) -> Bool {
        switch value {
        case .null: return any is NSNull
        case .bool(let b): return (any as? Bool) == b
        case .int(let i): return (any as? NSNumber)?.int64Value == i
        case .double(let d): return (any as? NSNumber)?.doubleValue == d
        case .string(let s): return (any as? String) == s
        case .array(let a):
            guard let other = any as? [Any], other.count == a.count else { return false }
            return zip(a, other).allSatisfy { same($0, $1) }
        case .object(let o):
            guard let other = any as? [String: Any], other.count == o.count else { return false }
            return o.allSatisfy { key, inner in other[key].map { same(inner, $0) } ?? false }
        }
    }
}
