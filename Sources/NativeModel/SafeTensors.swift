import Foundation
import Harness

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data.
///
/// Every header entry is checked against the file before any data is read, so a truncated or
/// corrupt file fails with one line naming the file and the first problem found.
public struct SafeTensorsFile: Sendable {
    /// A tensor's entry in the header.
    public struct Entry: Sendable, Equatable {
        public var dtype: DType
        public var shape: [Int]
        /// Byte range within the data section.
        public var range: Range<Int>
    }

    /// Element types the engine reads (all are computed in F32).
    public enum DType: String, Sendable, CaseIterable {
        case f32 = "F32", f16 = "F16", bf16 = "BF16"
        var size: Int { self == .f32 ? 4 : 2 }
    }

    public let path: String
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    /// Opens and validates `url`. Throws `ModelLoadError` for anything malformed.
    public init(url: URL) throws {
        let path = url.path
        self.path = path
        func fail(_ s: String) -> ModelLoadError { ModelLoadError(path: path, problem: s) }
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw fail("cannot read the file (\(error.localizedDescription))")
        }
        guard data.count >= 8 else { throw fail("truncated: \(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.withUnsafeBytes { raw -> UInt64 in
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the file (\(data.count) bytes)")
        }
        let headerData = data.subdata(in: 8 ..< 8 + Int(headerLength))
        guard let header = (try? JSONValue.parse(headerData))?.objectValue else {
            throw fail("the header is not a JSON object")
        }
        let dataStart = 8 + Int(headerLength)
        let dataSize = data.count - dataStart
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                for (k, v) in value.objectValue ?? [] { metadata[k] = v.stringValue ?? v.compactJSON }
                continue
            }
            guard let dtypeName = value["dtype"]?.stringValue,
                  let shapeAny = value["shape"]?.arrayValue,
                  let offsetsAny = value["data_offsets"]?.arrayValue, offsetsAny.count == 2 else {
                throw fail("tensor '\(name)': header entry needs dtype, shape and two data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail("tensor '\(name)': unsupported dtype \(dtypeName) (supported: F32, F16, BF16)")
            }
            let shape = shapeAny.compactMap(\.integralValue)
            let offsets = offsetsAny.compactMap(\.integralValue)
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }), offsets.count == 2 else {
                throw fail("tensor '\(name)': shape and data_offsets must be non-negative integers")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail("tensor '\(name)': data_offsets [\(begin), \(end)] out of range (data section is \(dataSize) bytes)")
            }
            let elements = shape.reduce(1, *)
            guard elements * dtype.size == end - begin else {
                throw fail("tensor '\(name)': shape \(shape) of \(dtypeName) needs \(elements * dtype.size) bytes but data_offsets give \(end - begin)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: begin ..< end)
        }
        self.entries = entries
        self.metadata = metadata
        self.data = data
        self.dataStart = dataStart
    }

    /// The tensor `name` converted to F32, or throws if absent.
    public func tensor(_ name: String) throws -> Tensor {
        guard let entry = entries[name] else {
            throw ModelLoadError(path: path, problem: "missing tensor '\(name)'")
        }
        let tensor = Tensor(zeros: entry.shape)
        let count = tensor.count
        let out = tensor.pointer
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress!.advanced(by: dataStart + entry.range.lowerBound)
            switch entry.dtype {
            case .f32:
                for i in 0 ..< count { out[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            case .bf16:
                for i in 0 ..< count { out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
            case .f16:
                for i in 0 ..< count { out[i] = HalfFloat.toFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            }
        }
        return tensor
    }

    /// Writes tensors (F32) to `url` atomically, names sorted, with optional string metadata.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let sorted = tensors.sorted { $0.name < $1.name }
        for (name, t) in sorted {
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]] as [String: Any]
            offset += 4 * t.count
        }
        var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while headerData.count % 8 != 0 { headerData.append(0x20) }
        var out = Data(capacity: 8 + headerData.count + offset)
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(headerData)
        for (_, t) in sorted {
            out.append(UnsafeBufferPointer(start: t.pointer, count: t.count))
        }
        try AtomicFile.write(out, to: url)
    }
}

/// IEEE 754 half-precision conversion, independent of platform `Float16` support.
enum HalfFloat {
    @inline(__always)
    static func toFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal: value = mantissa * 2^-24.
            let value = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? value : -value
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}
