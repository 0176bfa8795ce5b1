import Foundation
#if canImport(CommonCrypto)
import CommonCrypto
#else
import CLibCrypto
#endif

/// Streaming SHA-256 (FIPS 180-4) from the system's cryptography library: OpenSSL's libcrypto on
/// Linux, CommonCrypto on Apple platforms. ForgetBench needs no other primitive, so it links the
/// library every Linux machine has rather than compiling a copy of BoringSSL.
///
/// Feed bytes with ``update(_:)`` any number of times, then call ``finalize()`` once.
public struct SHA256Hasher: ~Copyable {
    #if canImport(CommonCrypto)
    private var context = CC_SHA256_CTX()
    #else
    private let context: OpaquePointer
    #endif

    public init() {
        #if canImport(CommonCrypto)
        CC_SHA256_Init(&context)
        #else
        // Only allocation failure can make these fail, and nothing can go on without memory.
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("libcrypto could not start a SHA-256 digest")
        }
        self.context = context
        #endif
    }

    deinit {
        #if !canImport(CommonCrypto)
        EVP_MD_CTX_free(context)
        #endif
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        #if canImport(CommonCrypto)
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, Int(UInt32.max))
            CC_SHA256_Update(&context, base + offset, CC_LONG(chunk))
            offset += chunk
        }
        #else
        EVP_DigestUpdate(context, base, bytes.count)
        #endif
    }

    /// Adds `data` to the message.
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest of everything added. Consumes the hasher.
    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        #if canImport(CommonCrypto)
        CC_SHA256_Final(&digest, &context)
        #else
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        #endif
        return digest
    }

    /// The digest as 64 lowercase hex digits. Consumes the hasher.
    public consuming func finalizeHex() -> String {
        Self.hex(finalize())
    }

    /// Lowercase hex of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
