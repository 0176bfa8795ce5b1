import CommandLineSupport
import Foundation
import NativeModel

BLASKernelCheck.reexecuteWithFasterKernelsIfNeeded()
// `forgetbench serve ...` and `forgetbench help serve` hand the whole command line to the
// forgetbench-serve program (see ServeLauncher), which parses its own options.
ServeLauncher.execIfServe(CommandLine.arguments)
exit(await runCommandLine(ForgetBench.self))
