import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads `/proc`: how many tasks (processes and threads) a user has, which the kernel compares
/// with `RLIMIT_NPROC`, and which processes carry a word on their command line.
public enum ProcessTable {
    /// Tasks (threads included) owned by real user `uid`, now.
    static func taskCount(uid: uid_t) -> Int {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var count = 0
        var info = stat()
        for entry in entries where entry.first?.isNumber == true {
            guard stat("/proc/\(entry)", &info) == 0, info.st_uid == uid else { continue }
            count += (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(entry)/task").count) ?? 1
        }
        return count
    }

    /// The pids of processes whose command line contains `word`. A zombie's command line is
    /// empty, so zombies are not found here; `processes(ownedBy:)` finds them.
    public static func processes(containing word: String) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let needle = Array(word.utf8)
        var found: [Int32] = []
        for entry in entries where entry.first?.isNumber == true {
            guard let pid = Int32(entry), pid != getpid(),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let bytes = [UInt8](data)
            if bytes.count >= needle.count, (0 ... bytes.count - needle.count).contains(where: { bytes[$0 ..< $0 + needle.count].elementsEqual(needle) }) {
                found.append(pid)
            }
        }
        return found
    }

    /// The pids of processes (zombies included) whose real user id is in `uids`.
    public static func processes(ownedBy uids: Set<UInt32>) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var found: [Int32] = []
        var info = stat()
        for entry in entries where entry.first?.isNumber == true {
            if let pid = Int32(entry), stat("/proc/\(entry)", &info) == 0, uids.contains(info.st_uid) { found.append(pid) }
        }
        return found
    }
}
