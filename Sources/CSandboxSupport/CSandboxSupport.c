#define _GNU_SOURCE
#include "CSandboxSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

int csandbox_spawn(const char *path, char *const argv[], char *const envp[], const int *fds, int nfds,
                   const char *directory, int new_session, pid_t *pid) {
    if (nfds < 0 || nfds > 16) return EINVAL;
    /* Move every source above the targets first, so that no dup2 overwrites a later source. */
    int high[16];
    for (int i = 0; i < nfds; i++) {
        high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 64);
        if (high[i] < 0) {
            int error = errno;
            for (int j = 0; j < i; j++) close(high[j]);
            return error;
        }
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) goto close_high;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) { posix_spawn_file_actions_destroy(&actions); goto close_high; }
    for (int i = 0; i < nfds && result == 0; i++) result = posix_spawn_file_actions_adddup2(&actions, high[i], i);
#if defined(__linux__)
    if (result == 0) result = posix_spawn_file_actions_addclosefrom_np(&actions, nfds);
#endif
    if (result == 0 && directory != NULL) result = posix_spawn_file_actions_addchdir_np(&actions, directory);
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    if (result == 0) result = posix_spawnattr_setsigmask(&attributes, &empty);
    if (result == 0) result = posix_spawnattr_setsigdefault(&attributes, &all);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#if defined(__APPLE__)
    flags |= POSIX_SPAWN_CLOEXEC_DEFAULT; /* every descriptor but the dup2 targets is closed */
#endif
    if (new_session) flags |= POSIX_SPAWN_SETSID;
    if (result == 0) result = posix_spawnattr_setflags(&attributes, flags);
    if (result == 0) result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
close_high:
    for (int i = 0; i < nfds; i++) close(high[i]);
    return result;
}

#if defined(__linux__)
int csandbox_pipe(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno;
}

int csandbox_socketpair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : errno;
}

long csandbox_send(int fd, const void *bytes, unsigned long count) {
    return (long)send(fd, bytes, count, MSG_NOSIGNAL | MSG_DONTWAIT);
}
#else
static int csandbox_cloexec(int fds[2]) {
    for (int i = 0; i < 2; i++) {
        if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
            int error = errno;
            close(fds[0]);
            close(fds[1]);
            return error;
        }
    }
    return 0;
}

int csandbox_pipe(int fds[2]) {
    return pipe(fds) == 0 ? csandbox_cloexec(fds) : errno;
}

int csandbox_socketpair(int fds[2]) {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return errno;
    int on = 1;
    setsockopt(fds[0], SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
    return csandbox_cloexec(fds);
}

long csandbox_send(int fd, const void *bytes, unsigned long count) {
    return (long)send(fd, bytes, count, MSG_DONTWAIT);
}
#endif

int csandbox_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return errno;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 ? 0 : errno;
}

int csandbox_become_subreaper(void) {
#if defined(__linux__)
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : errno;
#else
    return ENOSYS;
#endif
}
