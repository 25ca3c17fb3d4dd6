#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
	char *s = buf_take(b);

	s[strcspn(s, "\r\n")] = '\0';
	return s;
}

static int
read_fd(int fd, struct buf *b)
{
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (b->len < 65536)
			buf_append(b, chunk, (size_t)n);
	}
	return 0;
}

static int
run_command(const char *what, const char *cmd, char **out, char **err)
{
	struct buf b = {0};
	int pfd[2], status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		*err = xasprintf("%s: pipe: %s", what, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		*err = xasprintf("%s: fork: %s", what, strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pfd[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	read_fd(pfd[0], &b);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (b.data)
			explicit_bzero(b.data, b.len);
		buf_free(&b);
		*err = WIFEXITED(status) ?
		    xasprintf("%s failed with exit status %d", what, WEXITSTATUS(status)) :
		    xasprintf("%s was killed by signal %d", what, WTERMSIG(status));
		return -1;
	}
	*out = first_line(&b);
	if ((*out)[0] == '\0') {
		secret_free(*out);
		*err = xasprintf("%s printed nothing", what);
		return -1;
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
		return run_command("token_command", sv->token_command, out, err);
	if (sv->password_command != NULL)
		return run_command("password_command", sv->password_command, out, err);
	if (sv->password != NULL) {
		*out = xstrdup(sv->password);
		return 0;
	}
	if (sv->password_file == NULL) {
		*err = xstrdup("no password source configured");
		return -1;
	}
	path = secret_expand_path(sv->password_file, getenv("CREDENTIALS_DIRECTORY"), err);
	if (path == NULL)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_fd(fd, &b) < 0) {
		*err = xasprintf("password_file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		buf_free(&b);
		return -1;
	}
	close(fd);
	*out = first_line(&b);
	if ((*out)[0] == '\0') {
		secret_free(*out);
		*err = xasprintf("password_file %s is empty", path);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}
