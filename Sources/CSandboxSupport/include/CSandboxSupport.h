#ifndef CSANDBOX_SUPPORT_H
#define CSANDBOX_SUPPORT_H

#include <sys/types.h>

/// Spawns `path` with `argv` and `envp` (NULL-terminated). The child's descriptors 0 ..< nfds are
/// `fds[0] ..< fds[nfds]` and every other descriptor is closed; its signal mask is empty and every
/// signal has its default action; it starts in `directory` (or the caller's when NULL) and, with
/// `new_session`, in a new session (so its process group can be killed as one).
/// Returns 0 and the pid in `*pid`, or an errno value.
int csandbox_spawn(const char *path, char *const argv[], char *const envp[], const int *fds, int nfds,
                   const char *directory, int new_session, pid_t *pid);

/// pipe2(fds, O_CLOEXEC). Returns 0 or an errno value.
int csandbox_pipe(int fds[2]);

/// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds). Returns 0 or an errno value.
int csandbox_socketpair(int fds[2]);

/// send(fd, bytes, count, MSG_NOSIGNAL | MSG_DONTWAIT): bytes sent, or -1 with errno.
long csandbox_send(int fd, const void *bytes, unsigned long count);

/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants become this process's children (so a
/// sandbox's init, orphaned when bubblewrap exits first, is reaped here). Returns 0 or an errno value.
int csandbox_become_subreaper(void);

/// Sets O_NONBLOCK. Returns 0 or an errno value.
int csandbox_set_nonblocking(int fd);

#endif
