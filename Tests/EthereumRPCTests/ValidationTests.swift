import Foundation
import Testing

@testable import EthereumRPC

struct ValidationTests {
    private func json(_ text: String) throws -> JSON {
        try JSONDecoder().decode(JSON.self, from: Data(text.utf8))
    }

    @Test func resultIsReturnedForTheMatchingID() throws {
        let reply = try JSONRPCClient.validateSingle(json(#"{"jsonrpc":"2.0","id":7,"result":"0x1"}"#), id: 7)
        #expect(try reply.get() == "0x1")
    }

    @Test func booleansAndNumbersStayApart() throws {
        #expect(try json("true") == .bool(true))
        #expect(try json("1") == .integer(1))
        #expect(try json("1.5") == .double(1.5))
    }

    @Test(arguments: [
        #"[]"#,
        #""hello""#,
        #"{"jsonrpc":"2.0","id":8,"result":"0x1"}"#,
        #"{"jsonrpc":"2.0","id":7}"#,
        #"{"jsonrpc":"2.0","id":7,"error":{"message":"no code"}}"#,
        #"{"jsonrpc":"2.0","id":"7","result":"0x1"}"#,
    ])
    func hostileOrBrokenAnswersAreMalformed(text: String) throws {
        #expect {
            try JSONRPCClient.validateSingle(json(text), id: 7)
        } throws: { error in
            (error as? RPCError)?.code == .malformedResponse
        }
    }

    @Test func nodeErrorsKeepCodeMessageAndData() throws {
        let reply = try JSONRPCClient.validateSingle(
            json(
                #"{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted: root already anchored","#
                    + #""data":"0x08c379a0"}}"#
            ), id: 1)
        guard case .failure(let error) = reply else {
            Issue.record("expected a node error")
            return
        }
        #expect(error.nodeCode == 3)
        #expect(error.data == "0x08c379a0")
        #expect(error.nodeErrorKind == .executionReverted)
        #expect(!error.isRetryable)
    }

    @Test(arguments: [
        ("nonce too low", RPCError.NodeErrorKind.nonceTooLow),
        ("nonce too high", .nonceTooHigh),
        ("already known", .alreadyKnown),
        ("replacement transaction underpriced", .replacementUnderpriced),
        ("insufficient funds for gas * price + value", .insufficientFunds),
        ("something else", .other),
    ])
    func gethMessagesMapToKinds(message: String, kind: RPCError.NodeErrorKind) {
        #expect(RPCError(.node, message: message, nodeCode: -32000).nodeErrorKind == kind)
    }

    @Test func rateLimitErrorsAreThrownForRetry() throws {
        #expect {
            try JSONRPCClient.validateSingle(
                json(
                    #"{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"limit exceeded"}}"#), id: 1)
        } throws: { error in
            (error as? RPCError)?.isRetryable == true
        }
    }

    @Test func batchesAreReorderedByIDAndChecked() throws {
        let results = try JSONRPCClient.validateBatch(
            json(
                #"[{"jsonrpc":"2.0","id":2,"result":"b"},{"jsonrpc":"2.0","id":1,"result":"a"}]"#), ids: [1, 2])
        #expect(try results.map { try $0.get() } == ["a", "b"])
        #expect(throws: RPCError.self) {
            try JSONRPCClient.validateBatch(json(#"[{"jsonrpc":"2.0","id":1,"result":"a"}]"#), ids: [1, 2])
        }
        #expect(throws: RPCError.self) {
            try JSONRPCClient.validateBatch(
                json(
                    #"[{"jsonrpc":"2.0","id":1,"result":"a"},{"jsonrpc":"2.0","id":1,"result":"a"}]"#), ids: [1])
        }
    }

    @Test func httpStatusesDecideRetries() {
        #expect(RPCError(.http, message: "", httpStatus: 503).isRetryable)
        #expect(RPCError(.http, message: "", httpStatus: 429).isRetryable)
        #expect(!RPCError(.http, message: "", httpStatus: 400).isRetryable)
        #expect(RPCError(.transport, message: "").isRetryable)
    }

    @Test func urlsAreRedactedInMessages() {
        #expect(
            CurlConnection.redacted("https://user:secret@node.example:8545/v3/APIKEY") == "https://node.example:8545")
    }

    @Test func commaSeparatedURLs() {
        #expect(RPCConfiguration(commaSeparated: " http://a:1 , http://b:2,,").urls == ["http://a:1", "http://b:2"])
    }

    @Test func nonHTTPURLsAreRefused() {
        #expect(throws: RPCError.self) {
            _ = try JSONRPCClient(configuration: .init(urls: ["file:///etc/passwd"]), logger: .init(label: "test"))
        }
    }
}
