import Foundation
import Testing
import TreatyModel

@testable import TreatyProtocol

@Suite("One contract: shapes, their derived schemas and strict reading")
struct ContractTests {
    enum Colour: String, RPCEnum { case red, green }

    struct Inner: RPCShape, Equatable {
        var bytesSent: Int
        var note: String?
    }

    struct Outer: RPCShape, Equatable {
        var officeName: String
        var colour: Colour
        var counts: [String: Int]
        var items: [Inner]
        var lastSeen: String?
        var anything: JSONValue
        var ratio: Double
        var flag: Bool

        static let fieldNotes: [String: JSONValue] = ["office_name": ["description": "What people call it."]]
    }

    @Test("A schema is derived from the type: names as on the wire, optionals not required, objects closed")
    func derivedSchema() {
        let schema = ContractSchema.of(Outer.self)
        #expect(schema["type"] == "object")
        #expect(schema["additionalProperties"] == false)
        let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(required == ["office_name", "colour", "counts", "items", "anything", "ratio", "flag"])
        let properties = schema["properties"]
        #expect(properties?["office_name"] == ["type": "string", "description": "What people call it."])
        #expect(properties?["colour"] == ["type": "string", "enum": ["red", "green"]])
        #expect(properties?["counts"] == ["type": "object", "additionalProperties": ["type": "integer"]])
        #expect(properties?["last_seen"] == ["type": "string"])
        #expect(properties?["anything"] == [:])
        #expect(properties?["ratio"] == ["type": "number"])
        #expect(properties?["flag"] == ["type": "boolean"])
        #expect(
            properties?["items"]
                == [
                    "type": "array",
                    "items": [
                        "type": "object", "additionalProperties": false, "required": ["bytes_sent"],
                        "properties": ["bytes_sent": ["type": "integer"], "note": ["type": "string"]],
                    ],
                ])
    }

    @Test("What is written reads back, and its keys are the schema's")
    func roundTrip() throws {
        let value = Outer(
            officeName: "Baku", colour: .green, counts: ["lifecycle_event": 2], items: [Inner(bytesSent: 3, note: nil)],
            lastSeen: "2026-12-03", anything: ["x": [1, 2]], ratio: 0.5, flag: true)
        let json = RPCCoding.json(value)
        #expect(json["office_name"] == "Baku")
        #expect(json["counts"] == ["lifecycle_event": 2], "a dictionary's keys are data, not converted")
        #expect(json["items"]?.arrayValue?.first?["note"] == nil, "nil is left out")
        #expect(try RPCCoding.decode(Outer.self, from: json) == value)
        let properties = Set(ContractSchema.of(Outer.self)["properties"]?.objectValue?.keys.map { $0 } ?? [])
        #expect(Set(json.objectValue?.keys.map { $0 } ?? []) == properties)
    }

    @Test("A field the reader needs and does not get is an error naming it, never a blank")
    func missingField() throws {
        var json = RPCCoding.json(
            Outer(officeName: "Baku", colour: .red, counts: [:], items: [Inner(bytesSent: 1)], lastSeen: nil,
                  anything: .null, ratio: 1, flag: false))
        json = json.removing("office_name")
        #expect(throws: ContractError.self) { try RPCCoding.decode(Outer.self, from: json) }
        do {
            _ = try RPCCoding.decode(Outer.self, from: json)
        } catch {
            #expect(error.description == "has no \"office_name\"")
        }
        var nested = RPCCoding.json(Outer(officeName: "B", colour: .red, counts: [:], items: [Inner(bytesSent: 1)], lastSeen: nil, anything: 1, ratio: 1, flag: false))
        nested = nested.setting("items", [["note": "x"]])
        do {
            _ = try RPCCoding.decode(Outer.self, from: nested)
            Issue.record("a missing nested field decoded")
        } catch {
            #expect(error.description == "has no \"items[0].bytes_sent\"")
        }
        let wrong = RPCCoding.json(Outer(officeName: "B", colour: .red, counts: [:], items: [], lastSeen: nil, anything: 1, ratio: 1, flag: false))
            .setting("colour", "blue")
        do {
            _ = try RPCCoding.decode(Outer.self, from: wrong)
            Issue.record("an unknown enumeration value decoded")
        } catch {
            #expect(error.description == "\"colour\" has a value this build does not know")
        }
    }

    @Test("Wire names are JSONEncoder's snake case", arguments: [
        ("bytesSent", "bytes_sent"), ("office", "office"), ("logChangeSets", "log_change_sets"),
        ("uptimeSeconds", "uptime_seconds"), ("publicKey", "public_key"),
    ])
    func wireNames(name: String, wire: String) {
        #expect(ContractSchema.wireName(name) == wire)
    }
}

extension JSONValue {
    fileprivate func removing(_ key: String) -> JSONValue {
        var object = objectValue ?? [:]
        object[key] = nil
        return .object(object)
    }

    fileprivate func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        var object = objectValue ?? [:]
        object[key] = value
        return .object(object)
    }
}

@Suite("Reading shapes straight from JSON values")
struct ValueDecoderTests {
    struct Numbers: RPCShape, Equatable {
        var small: Int8
        var large: UInt64
        var ratio: Float
        var list: [Int16]
        var maybe: Int32?
    }

    @Test("Every integer width and float reads from a parsed value; one out of range is an error, not a wrap")
    func widths() throws {
        let json = try JSONCodec.decode(#"{"small": -3, "large": 9000000000, "ratio": 0.5, "list": [1, 2], "maybe": null}"#)
        #expect(try RPCCoding.decode(Numbers.self, from: json) == Numbers(small: -3, large: 9_000_000_000, ratio: 0.5, list: [1, 2], maybe: nil))
        // Every width is derived as an integer, and an optional one is not required.
        let schema = ContractSchema.of(Numbers.self)
        #expect(Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []) == ["small", "large", "ratio", "list"])
        #expect(schema["properties"]?["maybe"] == ["type": "integer"] && schema["properties"]?["large"] == ["type": "integer", "minimum": 0])
        let tooBig = try JSONCodec.decode(#"{"small": 300, "large": 1, "ratio": 1, "list": []}"#)
        #expect(throws: ContractError.self) { try RPCCoding.decode(Numbers.self, from: tooBig) }
    }

    @Test("A record inside a result reads back whole")
    func recordInside() throws {
        struct Holder: RPCShape { var agreement: Record }
        let record = Record(kind: .agreement, id: "abc", fields: ["title": "A Treaty", "kind": "treaty"])
        let read = try RPCCoding.decode(Holder.self, from: ["agreement": record.json])
        #expect(read.agreement.fields["title"] == "A Treaty" && read.agreement.kind == .agreement)
        #expect(read.agreement.id == "abc")
    }
}

@Suite("Writing shapes straight to JSON values")
struct ValueEncoderTests {
    @Test("It writes what JSONEncoder with snake_case keys writes, nil optionals left out")
    func sameAsFoundation() throws {
        let value = ContractTests.Outer(
            officeName: "Baku", colour: .green, counts: ["lifecycle_event": 2, "camelCase": 1],
            items: [.init(bytesSent: 3, note: nil), .init(bytesSent: -1, note: "x")], lastSeen: nil,
            anything: ["nested": [1, "two", nil]], ratio: 0.25, flag: false)
        #expect(RPCCoding.json(value) == foundationJSON(value))
        let status = DerivedStatus(lower: .signed, upper: .inForce)
        #expect(RPCCoding.json(status) == foundationJSON(status))
        let record = Record(kind: .agreement, id: "abc", fields: ["title": "A Treaty"])
        #expect(RPCCoding.json(["records": [record]]) == ["records": [record.json]])
    }
}

/// What Foundation's JSONEncoder writes with snake_case keys, read back: the reference ValueEncoder must match.
private func foundationJSON<T: Encodable>(_ value: T) -> JSONValue {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    guard let data = try? encoder.encode(value), let json = try? JSONCodec.decode(data) else { return .null }
    return json
}
