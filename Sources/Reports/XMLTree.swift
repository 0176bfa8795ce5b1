import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Small helpers for building FoundationXML trees with sanitised content.
enum XMLTree {
    /// An element named `name` with the given attributes (in order; `nil` values are omitted).
    /// Every value passes through ``XMLSanitizer/removingForbiddenCharacters(_:)``.
    static func element(_ name: String, _ attributes: [(String, String?)] = [], text: String? = nil) -> XMLElement {
        let element = XMLElement(name: name)
        for (key, value) in attributes {
            guard let value else { continue }
            setAttribute(element, key, value)
        }
        if let text {
            element.addChild(XMLNode.text(withStringValue: XMLSanitizer.removingForbiddenCharacters(text)) as! XMLNode)
        }
        return element
    }

    /// Sets (or replaces) the attribute `name` of `element` to the sanitised `value`.
    static func setAttribute(_ element: XMLElement, _ name: String, _ value: String) {
        let node = XMLNode.attribute(withName: name, stringValue: XMLSanitizer.removingForbiddenCharacters(value)) as! XMLNode
        element.addAttribute(node)
    }

    /// A UTF-8 XML 1.0 document whose root is `root`, serialised (pretty-printed when `pretty`).
    static func data(root: XMLElement, pretty: Bool) -> Data {
        let document = XMLDocument(rootElement: root)
        document.version = "1.0"
        document.characterEncoding = "UTF-8"
        return document.xmlData(options: pretty ? [.nodePrettyPrint, .nodeCompactEmptyElement] : [.nodeCompactEmptyElement])
    }
}
