import CommandLineSupport
import Foundation
import NativeModel

// `forgetbench serve`: the `forgetbench` binary execs this program with the same arguments, so
// that the HTTP server's dependencies stay out of `forgetbench` itself.
BLASKernelCheck.reexecuteWithFasterKernelsIfNeeded()
exit(await runCommandLine(ServeCommand.self))
