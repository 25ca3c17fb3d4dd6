#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

#define LOG_PREFIX "followupd: "

bool
log_is_journal(int fd, const char *journal_stream)
{
	unsigned long long dev, ino;
	struct stat sb;
	char tail;

	if (journal_stream == NULL ||
	    sscanf(journal_stream, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return false;
	if (fstat(fd, &sb) < 0)
		return false;
	return (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

void
log_init(struct log *l, FILE *f, int verbosity)
{
	l->f = f;
	l->verbosity = verbosity;
	l->journal = log_is_journal(fileno(f), getenv("JOURNAL_STREAM"));
}

static bool
log_shows(const struct log *l, enum log_prio prio)
{
	if (prio <= LOG_PRIO_WARNING)
		return true;
	if (prio <= LOG_PRIO_INFO)
		return l->verbosity >= 0;
	return l->verbosity >= 1;
}

void
log_format(struct buf *out, bool journal, enum log_prio prio, const char *line, bool named)
{
	size_t n = strlen(LOG_PREFIX);

	if (journal) {
		buf_printf(out, "<%d>", (int)prio);
		if (strncmp(line, LOG_PREFIX, n) == 0)
			line += n;
	} else if (named && strncmp(line, LOG_PREFIX, n) != 0)
		buf_puts(out, LOG_PREFIX);
	buf_puts(out, line);
}

/* Writes text, one log line per line of it. */
static void
emit(struct log *l, enum log_prio prio, const char *text, size_t len, bool named)
{
	struct buf b = { 0 };
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		char *line = xstrndup(text + i, end - i);

		log_format(&b, l->journal, prio, line, named);
		buf_putc(&b, '\n');
		free(line);
		i = end + 1;
	}
	if (b.len > 0) {
		fwrite(buf_str(&b), 1, b.len, l->f);
		fflush(l->f);
	}
	buf_free(&b);
}

void
log_msg(struct log *l, enum log_prio prio, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	if (!log_shows(l, prio))
		return;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	emit(l, prio, buf_str(&b), b.len, true);
	buf_free(&b);
}
