#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "buf.h"

int
afile_read(const char *path, size_t max, char **out, size_t *len)
{
	struct buf b = { 0 };
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (b.len + (size_t)n > max) {
			errno = EFBIG;
			goto fail;
		}
		buf_append(&b, chunk, (size_t)n);
	}
	close(fd);
	*len = b.len;
	*out = buf_take(&b);
	return 0;
fail:
	{
		int e = errno;

		close(fd);
		buf_free(&b);
		errno = e;
	}
	return -1;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Does path already hold exactly data? */
static int
same_contents(const char *path, const char *data, size_t len)
{
	char *old;
	size_t olen;
	int same;

	if (afile_read(path, len, &old, &olen) < 0)
		return 0;
	same = olen == len && memcmp(old, data, len) == 0;
	free(old);
	return same;
}

int
afile_replace(const char *path, const char *data, size_t len, mode_t mode,
    bool *changed, char **err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? xstrdup(".") :
	    xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	const char *what = "cannot create";
	int fd, dfd;

	*changed = false;
	if (same_contents(path, data, len)) {
		free(dir);
		free(tmp);
		return 0;
	}
	if ((fd = mkstemp(tmp)) < 0)
		goto fail_notmp;
	what = "cannot write";
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		goto fail;
	}
	if (close(fd) < 0)
		goto fail;
	what = "cannot rename to";
	if (rename(tmp, path) < 0)
		goto fail;
	/* The rename itself is on disk once the directory is. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	*changed = true;
	free(dir);
	free(tmp);
	return 0;
fail:
	{
		int e = errno;

		unlink(tmp);
		errno = e;
	}
fail_notmp:
	*err = xasprintf("%s %s: %s", what, path, strerror(errno));
	free(dir);
	free(tmp);
	return -1;
}

int
afile_mkdirs(const char *dir, char **err)
{
	char *p = xstrdup(dir);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			goto bad;
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		goto bad;
	free(p);
	return 0;
bad:
	{
		int saved = errno;

		*err = xasprintf("cannot create %s: %s", p, strerror(saved));
		free(p);
		errno = saved;
	}
	return -1;
}
