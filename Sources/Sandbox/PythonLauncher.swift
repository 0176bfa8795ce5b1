/// The few lines of Python that start every program: they read the program from stdin, point
/// stdin at `/dev/null`, close every other inherited descriptor, set the rlimits as hard limits
/// (so the program cannot raise them), compile and run the program, and say how it ended through
/// the exit status. The program runs as `__main__` in a fresh namespace.
///
/// Exit statuses: `passed` 101, an `AssertionError` 102, a `SyntaxError` (or NUL byte) 103, any
/// other exception or `SystemExit` 104, `MemoryError` 105. Any other status means the program
/// ended the interpreter itself (`os._exit`) or crashed, and is a runtime error: a program that
/// exits early with status 0 does not pass.
enum PythonLauncher {
    static let passed: Int32 = 101
    static let failedAssertion: Int32 = 102
    static let syntaxError: Int32 = 103
    static let runtimeError: Int32 = 104
    static let memory: Int32 = 105

    /// The launcher's arguments after the label: CPU seconds, address-space bytes, file-size
    /// bytes, process count, open files (each set as soft = hard).
    static func arguments(label: String, limits: ResourceLimits, processLimit: Int) -> [String] {
        [label, String(limits.cpuSeconds), String(limits.memoryBytes), String(limits.fileSizeBytes), String(processLimit), String(limits.openFiles)]
    }

    /// Run with `python3 -S -s -B -c source label cpu as fsize nproc nofile`.
    static let source = #"""
import os, sys, resource
def _fb_limits(values):
    names = (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_FSIZE, resource.RLIMIT_NPROC, resource.RLIMIT_NOFILE)
    for name, value in zip(names, values):
        hard = resource.getrlimit(name)[1]
        if hard != resource.RLIM_INFINITY and hard < value:
            value = hard
        if name == resource.RLIMIT_CPU:
            resource.setrlimit(name, (value, value + 1))
        else:
            resource.setrlimit(name, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
def _fb_report(code):
    try:
        import traceback
        traceback.print_exc(limit=-8)
    except BaseException:
        pass
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    os._exit(code)
def _fb_main():
    values = [int(v) for v in sys.argv[2:7]]
    source = sys.stdin.buffer.read()
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.closerange(3, 1 << 16)
    _fb_limits(values)
    del sys.argv[1:]
    try:
        code = compile(source, "program.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        _fb_report(103)
    except MemoryError:
        _fb_report(105)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(code, namespace)
    except AssertionError:
        _fb_report(102)
    except MemoryError:
        _fb_report(105)
    except BaseException:
        _fb_report(104)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        _fb_report(104)
    os._exit(101)
_fb_main()
"""#
}
