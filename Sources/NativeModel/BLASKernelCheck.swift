import Foundation

/// OpenBLAS 0.3.21 (Debian 12's) does not recognise some newer x86 processors (for example Intel
/// Sapphire and Emerald Rapids) and falls back to its generic "Prescott" SSE3 kernels, which run
/// matrix products about 3x slower. OpenBLAS reads `OPENBLAS_CORETYPE` only when it is loaded, so
/// the fix is to run the program again with it set: to `SkylakeX` (AVX-512 kernels) when the
/// processor has AVX-512 F/CD/BW/DQ/VL, else to `Haswell` (AVX2 + FMA) when it has those.
///
/// A user's own `OPENBLAS_CORETYPE` is always respected.
public enum BLASKernelCheck {
    /// If OpenBLAS chose its generic kernels on a processor with AVX2 and FMA, re-executes the
    /// current program with a suitable `OPENBLAS_CORETYPE`; otherwise returns.
    public static func reexecuteWithFasterKernelsIfNeeded() {
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["FORGETBENCH_BLAS_REEXEC"] == nil else { return }
        let kernel = BLAS.kernelName.lowercased()
        guard kernel == "prescott" || kernel == "core2" || kernel == "nehalem" || kernel == "katmai" else { return }
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let coreType: String
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) {
            coreType = "SkylakeX"
        } else if flags.contains("avx2"), flags.contains("fma") {
            coreType = "Haswell"
        } else {
            return
        }
        setenv("OPENBLAS_CORETYPE", coreType, 1)
        setenv("FORGETBENCH_BLAS_REEXEC", "1", 1)
        let arguments = CommandLine.arguments
        var cArguments = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &cArguments)
        // execv returned: carry on with the slower kernels.
        #endif
    }
}
