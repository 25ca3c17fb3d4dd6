#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "secret.h"

void
secret_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

char *
secret_expand_path(const char *path, const char *credentials_dir, char **err)
{
	static const char *const vars[] = {
		"${CREDENTIALS_DIRECTORY}", "$CREDENTIALS_DIRECTORY"
	};
	struct buf b = {0};
	const char *p = path;

	if (path[0] != '/' && path[0] != '$') {
		if (credentials_dir == NULL || credentials_dir[0] == '\0') {
			*err = xasprintf("password_file '%s' is relative and $CREDENTIALS_DIRECTORY is not set", path);
			return NULL;
		}
		return xasprintf("%s/%s", credentials_dir, path);
	}
	while (*p) {
		size_t i;

		for (i = 0; i < 2; i++) {
			size_t n = strlen(vars[i]);

			if (strncmp(p, vars[i], n) == 0) {
				if (credentials_dir == NULL || credentials_dir[0] == '\0') {
					buf_free(&b);
					*err = xasprintf("password_file '%s' uses $CREDENTIALS_DIRECTORY, which is not set", path);
					return NULL;
				}
				buf_puts(&b, credentials_dir);
				p += n;
				break;
			}
		}
		if (i == 2)
			buf_putc(&b, *p++);
	}
	return buf_take(&b);
}

/* Keeps the first line, without its end. */
static char *
first_line(struct buf *b)
{
	size_t len = b->len, k;
	char *s = buf_take(b);

	/* The rest of the file or output is wiped too: secret_free wipes
	 * only the string it is handed. */
	k = strcspn(s, "\r\n");
	explicit_bzero(s + k, len - k);
	return s;
}

static int
read_fd(int fd, struct buf *b)
{
	char chunk[4096];
	ssize_t n;
	int rc = 0;

	/* Room for all it may keep at once: growing would leave copies of
	 * the password in freed memory. */
	buf_reserve(b, 65536 + sizeof chunk + 1);
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		if (b->len < 65536)
			buf_append(b, chunk, (size_t)n);
	}
	explicit_bzero(chunk, sizeof chunk);
	return rc;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child, between fork and exec: only async-signal-safe calls (the
 * daemon may have other threads, libcurl's resolver). It leaves the
 * command nothing of the daemon's: no descriptor but 0, 1 and 2 (the
 * daemon's TLS sockets, libetpan's pipes, the state database), no blocked
 * signal (the daemon blocks its signalfd's), no ignored one (SIGPIPE). */
static void
exec_child(const char *cmd, int out)
{
	struct sigaction sa;
	sigset_t none;
	int devnull;

	setpgid(0, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);   /* fails harmlessly for the RT reserved */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	devnull = open("/dev/null", O_RDONLY);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0)
		_exit(126);
	if (close_range(3, ~0U, 0) < 0) {
		struct rlimit rl;
		int max = 65536;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)max)
			max = (int)rl.rlim_cur;
		for (int fd = 3; fd < max; fd++)
			close(fd);
	}
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Reads the child's output until its end, the deadline or the size limit,
 * into chunk and then b. 0 at the end, 1 at the deadline, 2 past the
 * limit, -1 on an error. */
static int
read_child_into(int fd, struct buf *b, long long deadline, char *chunk, size_t size)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return 1;
		if (poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd.revents == 0)
			continue;
		n = read(fd, chunk, size);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (b->len + (size_t)n > SECRET_MAX_OUTPUT)
			return 2;
		buf_append(b, chunk, (size_t)n);
	}
}

/* The same, with the buffer's room made at once (growing it would leave
 * copies of the secret in freed memory) and the chunk wiped after. */
static int
read_child(int fd, struct buf *b, long long deadline)
{
	char chunk[4096];
	int rc;

	buf_reserve(b, SECRET_MAX_OUTPUT + 1);
	rc = read_child_into(fd, b, deadline, chunk, sizeof chunk);
	explicit_bzero(chunk, sizeof chunk);
	return rc;
}

/* Waits for the child until the deadline: 0 with *status, 1 when it is
 * still running then. */
static int
wait_child(pid_t pid, int *status, long long deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return 0;   /* already reaped: nothing to wait for */
		if (now_ms() >= deadline)
			return 1;
		poll(NULL, 0, 10);
	}
}

static void
wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->len);
	buf_free(b);
}

int
secret_run(const char *what, const char *cmd, int timeout_ms, char **out, char **err)
{
	struct buf b = {0};
	long long deadline = now_ms() + timeout_ms;
	int pfd[2], status = 0, rc;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		*err = xasprintf("%s: pipe: %s", what, strerror(errno));
		return SECRET_TEMP;
	}
	/* Started with standard input or output closed, the pipe may get
	 * descriptor 0 or 1, which the child's dup2 onto 0 and 1 would lose. */
	if (pfd[1] < 3) {
		int moved = fcntl(pfd[1], F_DUPFD_CLOEXEC, 3);

		close(pfd[1]);
		pfd[1] = moved;
		if (moved < 0) {
			*err = xasprintf("%s: fcntl: %s", what, strerror(errno));
			close(pfd[0]);
			return SECRET_TEMP;
		}
	}
	pid = fork();
	if (pid < 0) {
		*err = xasprintf("%s: fork: %s", what, strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return SECRET_TEMP;
	}
	if (pid == 0)
		exec_child(cmd, pfd[1]);
	setpgid(pid, pid);   /* also here: whichever runs first, the group exists */
	close(pfd[1]);
	rc = read_child(pfd[0], &b, deadline);
	close(pfd[0]);
	if (rc == 0)
		rc = wait_child(pid, &status, deadline);
	if (rc != 0) {
		/* The whole group: a shell's children would go on without it. */
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		wipe(&b);
		if (rc == 1) {
			*err = xasprintf("%s did not finish within %d s and was killed; "
			    "will try again later", what, timeout_ms / 1000);
			return SECRET_TEMP;
		}
		*err = rc == 2 ?
		    xasprintf("%s printed more than %d bytes", what, SECRET_MAX_OUTPUT) :
		    xasprintf("%s: cannot read its output: %s", what, strerror(errno));
		return rc == 2 ? SECRET_FINAL : SECRET_TEMP;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		wipe(&b);
		*err = WIFEXITED(status) ?
		    xasprintf("%s failed with exit status %d", what, WEXITSTATUS(status)) :
		    xasprintf("%s was killed by signal %d", what, WTERMSIG(status));
		return SECRET_FINAL;
	}
	*out = first_line(&b);
	if ((*out)[0] == '\0') {
		secret_free(*out);
		*err = xasprintf("%s printed nothing", what);
		return SECRET_FINAL;
	}
	return 0;
}

int
secret_fetch(const struct server *sv, char **out, char **err)
{
	struct buf b = {0};
	char *path;
	int fd;

	if (sv->auth == AUTH_OAUTH2)
		return secret_run("token_command", sv->token_command, SECRET_TIMEOUT_MS, out, err);
	if (sv->password_command != NULL)
		return secret_run("password_command", sv->password_command, SECRET_TIMEOUT_MS,
		    out, err);
	if (sv->password != NULL) {
		*out = xstrdup(sv->password);
		return 0;
	}
	if (sv->password_file == NULL) {
		*err = xstrdup("no password source configured");
		return SECRET_FINAL;
	}
	path = secret_expand_path(sv->password_file, getenv("CREDENTIALS_DIRECTORY"), err);
	if (path == NULL)
		return SECRET_FINAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_fd(fd, &b) < 0) {
		*err = xasprintf("password_file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		wipe(&b);
		return SECRET_FINAL;
	}
	close(fd);
	*out = first_line(&b);
	if ((*out)[0] == '\0') {
		secret_free(*out);
		*err = xasprintf("password_file %s is empty", path);
		free(path);
		return SECRET_FINAL;
	}
	free(path);
	return 0;
}
