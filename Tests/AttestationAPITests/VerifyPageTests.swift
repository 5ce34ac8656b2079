import Attestation
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AttestationAPI

/// web/verify.html, the copy embedded in the binary, and GET /verify agree;
/// the page is served without a token and may call nothing but a node.
@Suite struct VerifyPageTests {
    static var pageURL: URL { TestSupport.repositoryRoot.appendingPathComponent("web/verify.html") }

    @Test func embeddedCopyMatchesTheFile() throws {
        let text = try String(contentsOf: Self.pageURL, encoding: .utf8)
        #expect(VerifyPageDocument.html == text, "web/verify.html changed: run `python3 scripts/embed-verify-page.py`")
    }

    @Test func servedWithoutATokenAsTheFile() async throws {
        let text = try String(contentsOf: Self.pageURL, encoding: .utf8)
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: TestTokens()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/verify", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(TestSupport.string(response) == text)
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("default-src 'none'"))
                #expect(policy.contains("frame-ancestors 'none'"))
            }
            try await client.execute(uri: "/verify", method: .head) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/verify", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
            }
        }
    }

    /// Self-contained: no script, style, image or frame is loaded from anywhere.
    @Test func pageLoadsNothingFromOutside() throws {
        let text = try String(contentsOf: Self.pageURL, encoding: .utf8)
        for pattern in ["<script src", "<link", "@import", "url(http", "<iframe", "<img src=\"http"] {
            #expect(!text.lowercased().contains(pattern), "\(pattern)")
        }
        #expect(text.contains("Content-Security-Policy"))
    }

    /// The page links to explorers from its own table (it trusts no receipt's
    /// links): every built-in chain profile's explorer is in it, the same site.
    @Test func pageKnowsTheExplorersOfTheBuiltInProfiles() throws {
        let text = try String(contentsOf: Self.pageURL, encoding: .utf8)
        let table = try #require(text.firstRange(of: "const EXPLORERS = {").map { text[$0.upperBound...] })
        let body = table[..<(table.firstIndex(of: "}") ?? table.endIndex)]
        for profile in ChainProfiles.builtIn.byChainID.values {
            guard let template = profile.explorerTransaction else { continue }
            let base = template.replacingOccurrences(of: "/tx/{tx}", with: "")
            #expect(body.contains("\(profile.chainID): \"\(base)\""), "chain \(profile.chainID): \(base)")
        }
    }
}
