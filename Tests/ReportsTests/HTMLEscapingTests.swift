import Foundation
import Reports
import XCTest

/// Text for HTML pages: entities in character data, and JSON that cannot end or change the
/// `<script type="application/json">` element holding it.
final class HTMLEscapingTests: XCTestCase {
    func testScriptJSONEscapesWhatCouldEndOrChangeAScriptElementAndStillParses() throws {
        let original = "</script><!-- & \u{2028}\u{2029} ]]> <img src=x onerror=alert(1)>"
        let json = try JSONSerialization.data(withJSONObject: ["a": original])
        let text = HTMLEscaping.scriptJSON(json)
        XCTAssertFalse(text.contains("<") || text.contains(">") || text.contains("&") || text.contains("\u{2028}") || text.contains("\u{2029}"))
        XCTAssertTrue(text.contains("\\u003c\\/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 ]]\\u003e"), text)
        let back = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        XCTAssertEqual(back?["a"], original)
    }

    func testTextEscapesMarkupAndDropsCharactersXMLForbids() {
        XCTAssertEqual(HTMLEscaping.text("<a href=\"x\">&</a>\u{1}"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;")
    }
}
