import Foundation

/// JSON Lines files (one JSON value per line): the one reader and writer behind every command's
/// training sets, masked sets, data-regime sets and token dumps.
public enum JSONLines {
    /// A problem with a file or one of its lines (``FileError/line`` is 1-based, 0 for the whole file).
    public typealias LineError = FileError

    /// The file's bytes and its non-blank lines (trimmed), each with its 1-based line number.
    /// - Throws: ``FileError`` when the file cannot be read or is not UTF-8.
    public static func lines(path: String) throws(FileError) -> (data: Data, lines: [(number: Int, text: String)]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError(path: path, problem: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileError(path: path, problem: "not UTF-8 text")
        }
        var out: [(Int, String)] = []
        // Split on the byte: Swift's String takes "\r\n" as one Character, which would merge a
        // CRLF line with the next and misnumber every line after it.
        for (i, line) in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let trimmed = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { out.append((i + 1, trimmed)) }
        }
        return (data, out)
    }

    /// One line parsed as a JSON object (key order and numbers as written).
    /// - Throws: ``FileError`` naming `path` and `line` when it is not JSON or not an object.
    public static func object(_ text: String, line: Int, path: String) throws(FileError) -> JSONObject {
        let value: JSONValue
        do { value = try JSONValue.parse(Data(text.utf8)) } catch {
            throw FileError(path: path, line: line, problem: "not valid JSON at column \(error.column): \(error.message) (expected one JSON object per line)")
        }
        guard case let .object(object) = value else {
            throw FileError(path: path, line: line, problem: "expected a JSON object, found \(value.kindName)")
        }
        return object
    }

    /// Every non-blank line of `path` as a JSON object, with its 1-based line number.
    /// - Throws: ``FileError`` naming the file and the line at fault.
    public static func readObjects(path: String) throws(FileError) -> [(line: Int, object: JSONObject)] {
        var objects: [(line: Int, object: JSONObject)] = []
        for line in try lines(path: path).lines { objects.append((line.number, try object(line.text, line: line.number, path: path))) }
        return objects
    }

    /// The encoder lines are written with: sorted keys, slashes unescaped, one line per value.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `values` encoded one per line, each line ending in a newline.
    public static func encode<Value: Encodable>(_ values: some Sequence<Value>, encoder: JSONEncoder = encoder()) throws -> Data {
        var data = Data()
        for value in values {
            data.append(try encoder.encode(value))
            data.append(0x0A)
        }
        return data
    }

    /// Writes `values` as JSON Lines to `url` atomically, creating its directory.
    public static func write<Value: Encodable>(_ values: some Sequence<Value>, to url: URL, encoder: JSONEncoder = encoder()) throws {
        let data = try encode(values, encoder: encoder)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(data, to: url)
    }
}
