/// An escaping rule written as data: the text that replaces each Unicode scalar that needs it.
///
/// Every escaper in ForgetBench is one of these tables: JSON strings (``JSONEscapes``), Python's
/// `json.dumps` and markupsafe's `escape` (Jinja), HTML text and JSON inside a `<script>` element
/// (Reports). The loop that applies a table lives here once, and the tables read side by side.
/// ASCII replacements are looked up by index, so applying a table costs about what a `switch` does.
public struct EscapeTable: Sendable {
    /// Replacements of the 128 ASCII scalars, by value.
    private var ascii: [String?]
    /// Replacements of other scalars.
    private var others: [Unicode.Scalar: String]

    /// A table replacing each key of `replacements` with its value.
    public init(_ replacements: [Unicode.Scalar: String]) {
        ascii = Array(repeating: nil, count: 128)
        others = [:]
        self = adding(replacements)
    }

    /// This table with `more`'s replacements added (a scalar in both takes `more`'s).
    public func adding(_ more: [Unicode.Scalar: String]) -> EscapeTable {
        var table = self
        for (scalar, replacement) in more {
            if scalar.isASCII { table.ascii[Int(scalar.value)] = replacement } else { table.others[scalar] = replacement }
        }
        return table
    }

    /// The replacement of `scalar`, or nil when it stands as is.
    public subscript(scalar: Unicode.Scalar) -> String? {
        scalar.isASCII ? ascii[Int(scalar.value)] : others.isEmpty ? nil : others[scalar]
    }

    /// Appends `text` to `out` with every scalar the table names replaced. A scalar the table does
    /// not name is offered to `otherwise` (for a rule over a range, such as `ensure_ascii`); its
    /// non-nil answer replaces the scalar.
    public func append(_ text: String, to out: inout String, otherwise: (Unicode.Scalar) -> String? = { _ in nil }) {
        for scalar in text.unicodeScalars {
            if let replacement = self[scalar] ?? otherwise(scalar) {
                out += replacement
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }

    /// `text` with every scalar the table names replaced.
    public func escaping(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        append(text, to: &out)
        return out
    }
}
