import Harness

/// A checkpoint that cannot be used: Harness's ``Harness/FileError`` (the file, then the problem, on one line).
public typealias ModelLoadError = FileError
