import Foundation
import Harness

/// The text2sql-data format (Finegan-Dollak et al. 2018, `jkkummerfeld/text2sql-data`): a JSON
/// array of entries `{"sql": [...], "sentences": [{"text", "question-split", "variables"}], ...}`,
/// flattened into one record per sentence:
/// `{"question", "sql", "sqls", "split", "query_split", "entry"}`.
///
/// Each sentence's `variables` (`{"state_name0": "arizona"}`) are written into both its question
/// and the SQL (longest names first, so `city_name10` is not read as `city_name1`); `sql` is the
/// entry's first query (the dataset's canonical one), `sqls` all of its equivalent queries in
/// order (a few canonical queries do not run on SQLite; an alternative does); `split` is the sentence's `question-split`
/// (`train`, `dev`, `test`), `query_split` the entry's, `entry` its 0-based position.
enum Text2SQLDataset {
    static func flatten(_ entries: [(value: JSONValue, line: Int)], path: String) throws(TaskError) -> [DatasetRecord] {
        var records: [DatasetRecord] = []
        for (entryIndex, entry) in entries.enumerated() {
            let location = SourceLocation(path: path, line: entry.line)
            guard case let .object(fields) = entry.value else {
                throw .invalidData(location, message: "expected a text2sql entry (an object with 'sql' and 'sentences'), got \(entry.value.kindName)")
            }
            guard case let .array(queryValues)? = fields["sql"], !queryValues.isEmpty else {
                throw .invalidData(location, message: "the entry has no 'sql' list of query strings")
            }
            var queries: [String] = []
            for value in queryValues {
                guard case let .string(q) = value else { throw .invalidData(location, message: "'sql' must list query strings, found \(value.kindName)") }
                queries.append(q)
            }
            guard case let .array(sentences)? = fields["sentences"] else {
                throw .invalidData(location, message: "the entry has no 'sentences' list")
            }
            var querySplit = ""
            if case let .string(s)? = fields["query-split"] { querySplit = s }
            for sentence in sentences {
                guard case let .object(s) = sentence, case let .string(text)? = s["text"] else {
                    throw .invalidData(location, message: "a sentence has no 'text'")
                }
                guard case let .string(split)? = s["question-split"] else {
                    throw .invalidData(location, message: "the sentence '\(text)' has no 'question-split'")
                }
                var variables: [(String, String)] = []
                if case let .object(v)? = s["variables"] {
                    for (name, value) in v {
                        guard case let .string(valueText) = value else {
                            throw .invalidData(location, message: "variable '\(name)' of '\(text)' is \(value.kindName), expected a string")
                        }
                        variables.append((name, valueText))
                    }
                }
                variables.sort { $0.0.count != $1.0.count ? $0.0.count > $1.0.count : $0.0 < $1.0 }
                var question = text
                var filled = queries
                for (name, value) in variables {
                    question = question.replacingOccurrences(of: name, with: value)
                    filled = filled.map { $0.replacingOccurrences(of: name, with: value) }
                }
                records.append(DatasetRecord(index: records.count, line: entry.line, value: .object([
                    "question": .string(question), "sql": .string(filled[0]), "sqls": .array(filled.map { .string($0) }), "split": .string(split),
                    "query_split": .string(querySplit), "entry": .number(String(entryIndex)),
                ])))
            }
        }
        return records
    }
}
