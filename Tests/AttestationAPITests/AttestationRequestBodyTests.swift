import Foundation
import Testing

@testable import AttestationAPI

/// The quick reading of `{"counsellorId": N}` against JSONDecoder's: it
/// reads the plain form and leaves everything else to the decoder, whose
/// answer (or 400) stays what it was.
@Suite struct AttestationRequestBodyTests {
    @Test func plainBodiesReadAsTheDecoderReadsThem() throws {
        let bodies = [
            #"{"counsellorId":1}"#, #"{"counsellorId": 42}"#, " {\n\t\"counsellorId\" :\r 7 } \n",
            #"{"counsellorId":999999999999999999}"#,
        ]
        for body in bodies {
            let quick = try #require(AttestationRequestBody.plainCounsellorID(Data(body.utf8)), "\(body)")
            #expect(
                quick == (try JSONDecoder().decode(AttestationRequestBody.self, from: Data(body.utf8))).counsellorID)
        }
    }

    @Test func everythingElseIsLeftToTheDecoder() {
        let bodies = [
            "", "{}", #"{"counsellorId":0}"#, #"{"counsellorId":01}"#, #"{"counsellorId":-1}"#,
            #"{"counsellorId":1.5}"#, #"{"counsellorId":1e3}"#, #"{"counsellorId":"1"}"#,
            #"{"counsellorId":9223372036854775807}"#, #"{"counsellorId":99999999999999999999999}"#,
            #"{"counsellorId":1,"x":2}"#, #"{"counsellorId":1}x"#,
            #"{"counsellorID":1}"#, #"{"counsellor\u0049d":1}"#, "\u{FEFF}{\"counsellorId\":1}", #"[1]"#,
            #"{"counsellorId":1"#, #"{"counsellorId":null}"#, #"{"counsellorId":1}}"#,
        ]
        for body in bodies {
            #expect(AttestationRequestBody.plainCounsellorID(Data(body.utf8)) == nil, "\(body)")
        }
    }

    /// Through `decode`, a plain body and its escaped spelling read alike,
    /// and refusals are the decoder's.
    @Test func decodeAnswersAsBefore() throws {
        #expect(try AttestationRequestBody.decode(Data(#"{"counsellorId": 12}"#.utf8)).counsellorID == 12)
        #expect(try AttestationRequestBody.decode(Data(#"{"counsellor\u0049d":12}"#.utf8)).counsellorID == 12)
        #expect(
            try AttestationRequestBody.decode(Data(#"{"counsellorId":9223372036854775807}"#.utf8)).counsellorID
                == .max)
        #expect(throws: APIError.self) { try AttestationRequestBody.decode(Data(#"{"counsellorId":0}"#.utf8)) }
        #expect(throws: APIError.self) { try AttestationRequestBody.decode(Data(#"{"counsellorId":1,"x":2}"#.utf8)) }
    }
}
