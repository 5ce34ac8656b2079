import Attestation
import Testing

@testable import AttestationAPI

@Suite struct TokenStoreTests {
    @Test func parsesRolesCommentsAndBlankLines() throws {
        let backend = NewAPIToken.generate(role: .backend)
        let auditor = NewAPIToken.generate(role: .auditor)
        let upper = auditor.fileLine.uppercased().replacingOccurrences(of: "AUDITOR", with: "auditor")
        let store = try TokenStore(
            fileContents: """
                # CaseAttest API tokens

                \(backend.fileLine)   # the UGM-AICare backend
                \t\(upper)
                """)
        #expect(store.count == 2)
        #expect(store.caller(token: backend.token)?.roles == [.backend])
        #expect(store.caller(token: auditor.token)?.roles == [.auditor])
        #expect(store.caller(token: "not-a-token") == nil)
        #expect(store.caller(token: "") == nil)
    }

    @Test func callerIDIsAPrefixOfTheTokenHash() throws {
        let token = NewAPIToken.generate(role: .backend)
        let store = try TokenStore(fileContents: token.fileLine)
        let digestHex = String(token.fileLine.split(separator: " ")[1])
        #expect(digestHex == TokenStore.hex(SHA256Digest.hash(Array(token.token.utf8))))
        #expect(store.caller(token: token.token)?.id == String(digestHex.prefix(16)))
    }

    @Test func newTokensAreRandomBase64URL() {
        let tokens = (0..<50).map { _ in NewAPIToken.generate(role: .auditor).token }
        #expect(Set(tokens).count == 50)
        for token in tokens {
            #expect(token.utf8.count == 43)
            #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        }
    }

    @Test func badLinesAreRefusedWithoutEchoingThem() {
        let secretLooking = "backend s3cr3t-token-pasted-by-mistake"
        for text in [
            secretLooking, "admin " + String(repeating: "a", count: 64), "backend", "backend abc",
            "backend " + String(repeating: "g", count: 64), "backend \(String(repeating: "a", count: 64)) extra",
        ] {
            do {
                _ = try TokenStore(fileContents: "# ok\n" + text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description.contains("line 2"))
                #expect(!error.description.contains("s3cr3t"))
            }
        }
    }

    @Test func bearerHeaderParsing() {
        #expect(TokenStore.bearerToken(fromAuthorization: "Bearer abc") == "abc")
        #expect(TokenStore.bearerToken(fromAuthorization: "bearer abc") == "abc")
        #expect(TokenStore.bearerToken(fromAuthorization: "Basic abc") == nil)
        #expect(TokenStore.bearerToken(fromAuthorization: "Bearer ") == nil)
        #expect(TokenStore.bearerToken(fromAuthorization: "Bearer a b") == nil)
    }

    @Test func constantTimeComparison() {
        #expect(TokenStore.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!TokenStore.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!TokenStore.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
