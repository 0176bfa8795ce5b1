import Foundation
import GzipReader
import Harness

/// One dataset record with where it came from.
public struct DatasetRecord: Hashable, Sendable {
    /// 0-based position in the file (the default item id).
    public var index: Int
    /// 1-based line where the record starts.
    public var line: Int
    public var value: JSONValue
}

/// Reads dataset files (JSONL, gzip JSONL, JSON array, CSV) and checks their sha256.
public enum DatasetReader {
    /// The file a dataset names: `./` and `../` paths are relative to the task file's folder,
    /// absolute paths stay, others are under `dataRoot`.
    public static func resolve(_ path: String, dataRoot: URL, taskFile: URL) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardized }
        if path.hasPrefix("~/") { return URL(fileURLWithPath: NSString(string: path).expandingTildeInPath).standardized }
        if path.hasPrefix("./") || path.hasPrefix("../") {
            return taskFile.deletingLastPathComponent().appendingPathComponent(path).standardized
        }
        return dataRoot.appendingPathComponent(path).standardized
    }

    /// Checks that the file exists and, when `spec.sha256` is set, that its bytes match.
    /// - Returns: the file's sha256.
    /// - Throws: `TaskError.dataFileMissing` or `.checksumMismatch`, naming the path and the URL.
    public static func verify(_ spec: DatasetSpec, at url: URL) throws(TaskError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .dataFileMissing(path: url.path, url: spec.url, task: spec.location)
        }
        let actual: String
        do {
            actual = try ContentHash.sha256(fileAt: url)
        } catch {
            throw .unreadable(path: url.path, reason: "\(error)")
        }
        if let expected = spec.sha256, expected != actual {
            throw .checksumMismatch(path: url.path, expected: expected, actual: actual, url: spec.url, task: spec.location)
        }
        return actual
    }

    /// Every record of the file, in file order.
    /// - Throws: `TaskError.invalidData` naming `FILE:LINE[:COLUMN]`, or `.unreadable`.
    public static func read(_ url: URL, format: DatasetFormat) throws(TaskError) -> [DatasetRecord] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: FileManager.default.fileExists(atPath: url.path) ? "\(error.localizedDescription)" : "no such file")
        }
        var bytes = [UInt8](data)
        switch format {
        case .jsonl:
            return try jsonLines(bytes, path: url.path)
        case .jsonlGz:
            do {
                bytes = try Gzip.decompress(bytes)
            } catch {
                throw .invalidData(SourceLocation(path: url.path), message: error.message)
            }
            return try jsonLines(bytes, path: url.path)
        case .json:
            do {
                return try JSONValue.parseArrayWithLines(bytes).enumerated().map {
                    DatasetRecord(index: $0.offset, line: $0.element.line, value: $0.element.value)
                }
            } catch {
                throw .invalidData(SourceLocation(path: url.path, line: error.line, column: error.column), message: "invalid JSON: \(error.message)")
            }
        case .csv:
            return try csv(bytes, path: url.path)
        case .sqlite:
            throw .invalidData(SourceLocation(path: url.path), message: "a SQLite database holds no records; it can only be the 'database' of an sql_execution metric")
        case .text2sql:
            let entries: [(value: JSONValue, line: Int)]
            do {
                entries = try JSONValue.parseArrayWithLines(bytes)
            } catch {
                throw .invalidData(SourceLocation(path: url.path, line: error.line, column: error.column), message: "invalid JSON: \(error.message)")
            }
            return try Text2SQLDataset.flatten(entries, path: url.path)
        }
    }

    /// Applies `start`/`end` (file indices) and `where` (field equality).
    public static func select(_ records: [DatasetRecord], _ spec: DatasetSpec) -> [DatasetRecord] {
        records.filter { record in
            if let start = spec.start, record.index < start { return false }
            if let end = spec.end, record.index >= end { return false }
            for (field, expected) in spec.whereEquals {
                guard case let .object(members) = record.value, let value = members[field],
                      let text = value.fieldText, text == expected else { return false }
            }
            return true
        }
    }

    static func jsonLines(_ bytes: [UInt8], path: String) throws(TaskError) -> [DatasetRecord] {
        var records: [DatasetRecord] = []
        var lineStart = 0
        var lineNumber = 1
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { lineStart = 3 }
        let count = bytes.count
        while lineStart <= count {
            var lineEnd = lineStart
            while lineEnd < count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var contentEnd = lineEnd
            if contentEnd > lineStart, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            var blank = true
            for i in lineStart ..< contentEnd where bytes[i] != 0x20 && bytes[i] != 0x09 { blank = false; break }
            if !blank {
                do {
                    let value = try JSONValue.parse(bytes, start: lineStart, end: contentEnd, firstLine: lineNumber)
                    guard case .object = value else {
                        throw TaskError.invalidData(SourceLocation(path: path, line: lineNumber), message: "expected a JSON object per line, got \(value.kindName)")
                    }
                    records.append(DatasetRecord(index: records.count, line: lineNumber, value: value))
                } catch let error as JSONSyntaxError {
                    throw .invalidData(SourceLocation(path: path, line: lineNumber, column: error.column), message: "not valid JSON: \(error.message)")
                } catch let error as TaskError {
                    throw error
                } catch {
                    throw .invalidData(SourceLocation(path: path, line: lineNumber), message: "\(error)")
                }
            }
            lineStart = lineEnd + 1
            lineNumber += 1
        }
        return records
    }

    /// RFC 4180 CSV with a header row; records are objects of strings.
    static func csv(_ bytes: [UInt8], path: String) throws(TaskError) -> [DatasetRecord] {
        var rows: [(fields: [String], line: Int)] = []
        var field: [UInt8] = []
        var fields: [String] = []
        var i = 0
        var line = 1
        var rowLine = 1
        var inQuotes = false
        var fieldStarted = false
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == 0x22 {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                    inQuotes = false
                } else {
                    if c == 0x0A { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case 0x22:
                if fieldStarted || !field.isEmpty {
                    throw .invalidData(SourceLocation(path: path, line: line), message: "a quote inside an unquoted CSV field")
                }
                inQuotes = true
                fieldStarted = true
            case 0x2C:
                endField()
            case 0x0D where i + 1 < bytes.count && bytes[i + 1] == 0x0A:
                break
            case 0x0A:
                endField()
                rows.append((fields, rowLine))
                fields = []
                line += 1
                rowLine = line
            default:
                field.append(c)
            }
            i += 1
        }
        if inQuotes { throw .invalidData(SourceLocation(path: path, line: rowLine), message: "unterminated quoted CSV field") }
        if !field.isEmpty || !fields.isEmpty || fieldStarted {
            endField()
            rows.append((fields, rowLine))
        }
        rows.removeAll { $0.fields == [""] }
        guard let header = rows.first else { return [] }
        var records: [DatasetRecord] = []
        for row in rows.dropFirst() {
            guard row.fields.count == header.fields.count else {
                throw .invalidData(SourceLocation(path: path, line: row.line), message: "CSV row has \(row.fields.count) fields but the header has \(header.fields.count)")
            }
            var members: JSONObject = [:]
            for (k, v) in zip(header.fields, row.fields) { members[k] = .string(v) }
            records.append(DatasetRecord(index: records.count, line: row.line, value: .object(members)))
        }
        return records
    }
}

extension JSONValue {
    /// A field's value as `where` compares it: a string as it is, a number as written, a boolean
    /// as `true`/`false`; nil for null, lists and objects.
    var fieldText: String? {
        switch self {
        case let .string(text): return text
        case let .number(text): return text
        case let .bool(flag): return flag ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }
}
