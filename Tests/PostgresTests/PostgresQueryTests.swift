import Foundation
import Testing

@testable import Postgres

struct PostgresQueryTests {
    @Test func interpolationsBecomeNumberedBinds() {
        let id: Int64 = 42
        let name = "Robert'); DROP TABLE users;--"
        let note: String? = nil
        let query: PostgresQuery = "SELECT * FROM users WHERE id = \(id) AND full_name = \(name) AND nim = \(note)"
        #expect(query.sql == "SELECT * FROM users WHERE id = $1 AND full_name = $2 AND nim = $3")
        #expect(query.binds == [.int(42), .text(name), .null])
    }

    @Test func aPlainLiteralHasNoBinds() {
        let query: PostgresQuery = "SELECT 1"
        #expect(query.sql == "SELECT 1")
        #expect(query.binds.isEmpty)
    }

    @Test func everyEncodableTypeMapsToItsValue() {
        let date = Date(timeIntervalSince1970: 1.5)
        let bytes: [UInt8] = [0, 1, 255]
        let query: PostgresQuery = """
            \(1)\(Int32(2))\(Int16(3))\(2.5)\(true)\(bytes)\(date)\
            \(PostgresValue.jsonb("{}"))\(PostgresValue.numeric("1.10"))
            """
        #expect(query.sql == "$1$2$3$4$5$6$7$8$9")
        #expect(
            query.binds == [
                .int(1), .int32(2), .int32(3), .double(2.5), .bool(true), .bytea(bytes),
                .timestamp(PostgresTimestamp(microsecondsSinceEpoch: 1_500_000)), .jsonb("{}"), .numeric("1.10"),
            ])
    }

    @Test func wireParametersUseTextExceptForBytea() throws {
        let text = try PostgresValue.text("héllo").wireParameter(position: 1)
        #expect(text.typeOID == PostgresTypeOID.text && !text.binary && text.bytes == Array("héllo".utf8))
        let bytea = try PostgresValue.bytea([0, 0, 7]).wireParameter(position: 2)
        #expect(bytea.typeOID == PostgresTypeOID.bytea && bytea.binary && bytea.bytes == [0, 0, 7])
        let null = try PostgresValue.null.wireParameter(position: 3)
        #expect(null.bytes == nil)
        let stamp = try PostgresValue.timestamp(PostgresTimestamp(microsecondsSinceEpoch: -1)).wireParameter(
            position: 4)
        #expect(stamp.bytes == Array("1969-12-31 23:59:59.999999+00".utf8))
        let infinity = try PostgresValue.double(-.infinity).wireParameter(position: 5)
        #expect(infinity.bytes == Array("-Infinity".utf8))
    }

    @Test func textWithANulCharacterIsRejectedWithoutEchoingIt() {
        #expect {
            _ = try PostgresValue.text("secret\u{0}value").wireParameter(position: 3)
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.code == .invalidParameter && error.message.contains("$3") && !error.message.contains("secret")
        }
    }

    @Test func bindRedactionRemovesQuotedAndLongValues() {
        let message = #"invalid input syntax for type integer: "hunter2-secret""#
        #expect(
            BindRedaction.scrub(message, binds: [.text("hunter2-secret")])
                == #"invalid input syntax for type integer: "<value>""#)
        #expect(BindRedaction.scrub("value x is bad", binds: [.text("x")]) == "value x is bad")
        #expect(BindRedaction.scrub(#"bad "x""#, binds: [.text("x")]) == #"bad "<value>""#)
    }
}
