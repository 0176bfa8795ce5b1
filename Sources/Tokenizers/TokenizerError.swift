import Harness

/// An error loading a tokenizer file: Harness's ``Harness/FileError`` (the file, then the problem, on one line).
public typealias TokenizerError = FileError
